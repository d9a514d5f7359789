/** A row the write path inserted into `reading` (only rows actually inserted: duplicates must not be passed). */
export interface InsertedReading {
  device_id: number;
  meter_time: Date;
  [column: string]: unknown;
}

/** A row the write path inserted into `mbus_reading` (a repeated capture is not passed again). */
export interface InsertedMbusReading {
  device_id: number;
  channel: number;
  captured_at: Date;
  device_type: number | null;
  value: string | number;
}

export interface InsertedRows {
  readings?: readonly InsertedReading[];
  /** Readings that filled NULL columns of a row stored before: only the filled columns (never a stored value again). */
  merged?: readonly InsertedReading[];
  mbus?: readonly InsertedMbusReading[];
  /**
   * Optional: each device's newest `reading` row as it was before these rows were written (absent: the
   * device had none), read in the same transaction before the rows were written (`deviceStates`). Devices whose new rows all come after it
   * need no neighbour look-ups; without it every device takes the general path.
   */
  newestBefore?: ReadonlyMap<number, InsertedReading>;
  /** Steps longer than this are gaps: booked at the later reading, not spread (default DEFAULT_GAP_HORIZON_MS). */
  gapHorizonMs?: number;
  /** Optional: each device's zone and purged span, read in the same transaction (absent: looked up). */
  devices?: ReadonlyMap<number, { timeZone: string; purgedBefore: Date | null; keptFrom: Date | null; keptMbusFrom: Date | null }>;
}
