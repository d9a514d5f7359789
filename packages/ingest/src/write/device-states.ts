import { CompiledQuery, type Kysely } from 'kysely';
import { READING_VALUE_COLUMNS } from '@sem/db';
import { sqlLiteral } from './sql-literal.ts';
import { chunks } from './chunks.ts';

/** A stored `reading` row: its key and value columns (NULL where the meter sent nothing). */
export type StoredRow = Record<string, unknown> & { device_id: number; meter_time: Date };

/** A device of the batch as the write transaction found it before writing. */
export interface DeviceState {
  timeZone: string;
  /** Raw rows before this time were purged by the retention job (null: never). */
  purgedBefore: Date | null;
  /** The purged span begins after this time (its oldest kept row); older rows are history the rollups never held (null: none known). */
  keptFrom: Date | null;
  /** The same for its M-Bus captures (the oldest kept capture of any channel). */
  keptMbusFrom: Date | null;
  /** Its newest stored row (absent: none yet). */
  newest: StoredRow | undefined;
}

const ROW_COLS = ['meter_time', ...READING_VALUE_COLUMNS].map((c) => `r.\`${c}\``).join(', ');
// Devices per statement: keeps the IN list and the result small.
const CHUNK = 500;

/**
 * Each device's zone, purge boundary and newest stored row, in one statement per 500 devices: the newest
 * time is a correlated `ORDER BY … DESC LIMIT 1` (one primary-key dive per device), joined back on the
 * primary key for the row (EXPLAIN: `eq_ref`). `MAX … GROUP BY` read every row of the devices instead.
 * Devices that do not exist are absent.
 */
export async function deviceStates(trx: Kysely<any>, deviceIds: readonly number[]): Promise<Map<number, DeviceState>> {
  const out = new Map<number, DeviceState>();
  for (const part of chunks(deviceIds, CHUNK)) {
    const r = await trx.executeQuery<Record<string, unknown> & { id: number; time_zone: string; purged_before: Date | null; kept_from: Date | null; kept_mbus_from: Date | null; meter_time: Date | null }>(
      CompiledQuery.raw(`
        SELECT n.id, n.time_zone, n.purged_before, n.kept_from, n.kept_mbus_from, ${ROW_COLS} FROM (
          SELECT d.id, d.time_zone, p.purged_before, p.kept_from, p.kept_mbus_from,
            (SELECT x.meter_time FROM reading x WHERE x.device_id = d.id ORDER BY x.meter_time DESC LIMIT 1) AS t
          FROM device d LEFT JOIN rollup_purge p ON p.device_id = d.id WHERE d.id IN (${part.map(sqlLiteral).join(', ')})
        ) n LEFT JOIN reading r ON r.device_id = n.id AND r.meter_time = n.t`),
    );
    for (const { id, time_zone, purged_before, kept_from, kept_mbus_from, ...row } of r.rows) {
      const newest = row.meter_time ? ({ ...row, device_id: id } as StoredRow) : undefined;
      out.set(id, { timeZone: time_zone, purgedBefore: purged_before, keptFrom: kept_from, keptMbusFrom: kept_mbus_from, newest });
    }
  }
  return out;
}
