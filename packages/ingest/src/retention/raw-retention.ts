import { type Kysely, sql } from 'kysely';

export interface PurgeOptions {
  /** Raw rows older than this are removed (the newest row of each device and M-Bus channel stays). */
  before: Date;
  /** Rows per DELETE, so no statement holds locks for long. */
  batchSize?: number;
}

export interface PurgeResult {
  readings: number;
  mbus: number;
}

async function deleteInBatches(db: Kysely<any>, statement: () => ReturnType<typeof sql>, batchSize: number): Promise<number> {
  let total = 0;
  for (;;) {
    const r = await statement().execute(db);
    const n = Number(r.numAffectedRows ?? 0n);
    total += n;
    if (n < batchSize) return total;
  }
}

/**
 * Removes raw `reading` and `mbus_reading` rows older than `before`. Rollups are kept for good.
 * Each device keeps its newest reading (its register neighbour and its "last seen"), each M-Bus
 * channel its newest capture; rollup_purge records the boundary so late rows behind it are not rolled up.
 */
export async function purgeRawReadings(db: Kysely<any>, opts: PurgeOptions): Promise<PurgeResult> {
  const batch = opts.batchSize ?? 5000;
  const result: PurgeResult = { readings: 0, mbus: 0 };
  const devices = await sql<{ device_id: number; newest: Date }>`SELECT device_id, MAX(meter_time) AS newest FROM reading GROUP BY device_id`.execute(db);
  for (const { device_id, newest } of devices.rows) {
    const boundary = new Date(Math.min(opts.before.getTime(), newest.getTime()));
    result.readings += await deleteInBatches(
      db,
      () => sql`DELETE FROM reading WHERE device_id = ${device_id} AND meter_time < ${boundary} ORDER BY meter_time LIMIT ${sql.lit(batch)}`,
      batch,
    );
    await sql`INSERT INTO rollup_purge (device_id, purged_before, purged_at) VALUES (${device_id}, ${boundary}, ${new Date()})
      ON DUPLICATE KEY UPDATE purged_before = GREATEST(purged_before, VALUES(purged_before)), purged_at = VALUES(purged_at)`.execute(db);
  }
  const channels = await sql<{ device_id: number; channel: number; newest: Date }>`
    SELECT device_id, channel, MAX(captured_at) AS newest FROM mbus_reading GROUP BY device_id, channel`.execute(db);
  for (const { device_id, channel, newest } of channels.rows) {
    const boundary = new Date(Math.min(opts.before.getTime(), newest.getTime()));
    result.mbus += await deleteInBatches(
      db,
      () => sql`DELETE FROM mbus_reading WHERE device_id = ${device_id} AND channel = ${channel} AND captured_at < ${boundary} ORDER BY captured_at LIMIT ${sql.lit(batch)}`,
      batch,
    );
  }
  return result;
}
