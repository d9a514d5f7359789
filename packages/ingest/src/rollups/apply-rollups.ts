import type { Kysely } from 'kysely';
import { deviceStates } from '../write/device-states.ts';
import { registerRollupRows } from './register-rollup.ts';
import { DEFAULT_GAP_HORIZON_MS } from './register-spread.ts';
import { writeGaps } from './rollup-gaps.ts';
import { emptyDelta, minuteRows, type RollupDelta } from './rollup-delta.ts';
import { statRollups } from './stats-rollup.ts';
import { writeRollupDelta } from './write-rollup-delta.ts';
import type { InsertedReading, InsertedRows } from './rollup.types.ts';

/**
 * What the rows just written add to the rollups (read in the write transaction, after the inserts; the
 * rows as for `applyRollups`). Reads `reading`, `device` and the purge boundaries, never the rollup tables: the delta can be
 * written later, and deltas of several transactions merged first.
 */
export async function rollupDelta(trx: Kysely<any>, inserted: InsertedRows): Promise<RollupDelta> {
  const allInserted = inserted.readings ?? [];
  const allMerged = inserted.merged ?? [];
  const all = [...allInserted, ...allMerged];
  const allMbus = inserted.mbus ?? [];
  if (all.length === 0 && allMbus.length === 0) return emptyDelta();
  const ids = [...new Set([...all.map((r) => r.device_id), ...allMbus.map((r) => r.device_id)])];
  const devices = inserted.devices ?? (await deviceStates(trx, ids));
  const zones = new Map<number, string>();
  // Rows behind the retention boundary arrive too late: their neighbours are gone, so they are stored but not rolled up.
  const boundary = new Map<number, number>();
  for (const id of ids) {
    const d = devices.get(id);
    if (!d) throw new Error(`applyRollups: unknown device ${id}`);
    zones.set(id, d.timeZone);
    boundary.set(id, d.purgedBefore?.getTime() ?? -Infinity);
  }
  const inTime = (r: InsertedReading) => r.meter_time.getTime() >= boundary.get(r.device_id)!;
  const readings = allInserted.filter(inTime);
  const merged = allMerged.filter(inTime);
  const mbus = allMbus.filter((r) => r.captured_at.getTime() >= boundary.get(r.device_id)!);
  // Inserted and merged rows carry disjoint columns of a key: each stored value is counted once.
  const stats = statRollups([...readings, ...merged]);
  const { rows, gaps } = await registerRollupRows(trx, zones, readings, merged, mbus, stats, inserted.newestBefore, inserted.gapHorizonMs ?? DEFAULT_GAP_HORIZON_MS);
  // Gap rows are written with the readings (not deferred): they are facts of the raw series, like the readings.
  await writeGaps(trx, gaps);
  const { minuteEnergy, ...levels } = rows;
  return { minutes: minuteRows(stats, minuteEnergy), ...levels };
}

/**
 * Keeps the rollups in step with the raw tables. Call inside the write transaction, after the
 * inserts, with exactly the rows that were inserted, and for rows that gained NULL columns only
 * those columns in `merged` (a duplicate that was ignored must not be passed: its statistics would
 * count twice). Order of arrival does not matter.
 */
export async function applyRollups(trx: Kysely<any>, inserted: InsertedRows): Promise<void> {
  await writeRollupDelta(trx, await rollupDelta(trx, inserted));
}
