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
 * channel its newest capture. rollup_purge records the cut span, so late rows inside it are not rolled up:
 * it ends at the boundary and begins at the device's oldest reading (kept_from) and its oldest M-Bus capture
 * (kept_mbus_from), which are kept too: the neighbours of history imported later, older than anything the
 * rollups hold (that is rolled up). A device cut before `kept_from` existed lost its oldest row: its span
 * keeps no beginning (NULL) and nothing more is kept for it.
 */
export async function purgeRawReadings(db: Kysely<any>, opts: PurgeOptions): Promise<PurgeResult> {
  const batch = opts.batchSize ?? 5000;
  const result: PurgeResult = { readings: 0, mbus: 0 };
  const devices = await sql<{ device_id: number; oldest: Date; newest: Date }>`
    SELECT device_id, MIN(meter_time) AS oldest, MAX(meter_time) AS newest FROM reading GROUP BY device_id`.execute(db);
  const channels = await sql<{ device_id: number; channel: number; oldest: Date; newest: Date }>`
    SELECT device_id, channel, MIN(captured_at) AS oldest, MAX(captured_at) AS newest FROM mbus_reading GROUP BY device_id, channel`.execute(db);
  const cuts = await sql<{ device_id: number; kept_from: Date | null }>`SELECT device_id, kept_from FROM rollup_purge`.execute(db);
  // A device cut before kept_from existed (NULL) keeps no oldest row: its history was already lost.
  const legacy = new Set(cuts.rows.filter((c) => c.kept_from === null).map((c) => Number(c.device_id)));
  const oldestCapture = new Map<number, Date>();
  for (const c of channels.rows) {
    const have = oldestCapture.get(Number(c.device_id));
    if (!have || c.oldest < have) oldestCapture.set(Number(c.device_id), c.oldest);
  }
  for (const { device_id, oldest, newest } of devices.rows) {
    const id = Number(device_id);
    const boundary = new Date(Math.min(opts.before.getTime(), newest.getTime()));
    const keptOldest = legacy.has(id) ? sql`` : sql` AND meter_time > ${oldest}`;
    result.readings += await deleteInBatches(
      db,
      () => sql`DELETE FROM reading WHERE device_id = ${device_id} AND meter_time < ${boundary}${keptOldest} ORDER BY meter_time LIMIT ${sql.lit(batch)}`,
      batch,
    );
    const from = legacy.has(id) ? null : oldest;
    const mbusFrom = legacy.has(id) ? null : (oldestCapture.get(id) ?? null);
    // The span's beginnings only move earlier (history imported before them); NULL ones stay NULL.
    await sql`INSERT INTO rollup_purge (device_id, purged_before, purged_at, kept_from, kept_mbus_from) VALUES (${device_id}, ${boundary}, ${new Date()}, ${from}, ${mbusFrom})
      ON DUPLICATE KEY UPDATE purged_before = GREATEST(purged_before, VALUES(purged_before)), purged_at = VALUES(purged_at),
        kept_mbus_from = IF(kept_from IS NULL, NULL, LEAST(COALESCE(kept_mbus_from, VALUES(kept_mbus_from)), COALESCE(VALUES(kept_mbus_from), kept_mbus_from))),
        kept_from = IF(kept_from IS NULL, NULL, LEAST(kept_from, VALUES(kept_from)))`.execute(db);
  }
  for (const { device_id, channel, oldest, newest } of channels.rows) {
    const boundary = new Date(Math.min(opts.before.getTime(), newest.getTime()));
    const keptOldest = legacy.has(Number(device_id)) ? sql`` : sql` AND captured_at > ${oldest}`;
    result.mbus += await deleteInBatches(
      db,
      () => sql`DELETE FROM mbus_reading WHERE device_id = ${device_id} AND channel = ${channel} AND captured_at < ${boundary}${keptOldest} ORDER BY captured_at LIMIT ${sql.lit(batch)}`,
      batch,
    );
  }
  return result;
}
