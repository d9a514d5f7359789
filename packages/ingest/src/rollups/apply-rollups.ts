import type { Kysely } from 'kysely';
import { deviceStates } from '../write/device-states.ts';
import { registerRollupRows, type HistoryBounds } from './register-rollup.ts';
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
  // The retention job cut raw rows in (keptFrom, purgedBefore): the rollups hold that time, and a row arriving
  // there now has lost its neighbours, so it is stored but not rolled up. A row older than keptFrom (the oldest
  // row, kept) is history the rollups never held (an import): rolled up, with neighbours up to keptFrom only.
  const cut = new Map<number, { from: number; mbusFrom: number; before: number }>();
  for (const id of ids) {
    const d = devices.get(id);
    if (!d) throw new Error(`applyRollups: unknown device ${id}`);
    zones.set(id, d.timeZone);
    cut.set(id, { from: d.keptFrom?.getTime() ?? -Infinity, mbusFrom: d.keptMbusFrom?.getTime() ?? -Infinity, before: d.purgedBefore?.getTime() ?? -Infinity });
  }
  const history: HistoryBounds = {
    readings: new Map([...cut].filter(([, c]) => c.from > -Infinity).map(([id, c]) => [id, c.from])),
    mbus: new Map([...cut].filter(([, c]) => c.mbusFrom > -Infinity).map(([id, c]) => [id, c.mbusFrom])),
  };
  const inTime = (r: InsertedReading) => r.meter_time.getTime() >= cut.get(r.device_id)!.before || r.meter_time.getTime() < cut.get(r.device_id)!.from;
  const readings = allInserted.filter(inTime);
  const merged = allMerged.filter(inTime);
  const mbus = allMbus.filter((r) => r.captured_at.getTime() >= cut.get(r.device_id)!.before || r.captured_at.getTime() < cut.get(r.device_id)!.mbusFrom);
  // Inserted and merged rows carry disjoint columns of a key: each stored value is counted once.
  const stats = statRollups([...readings, ...merged]);
  const { rows, gaps } = await registerRollupRows(trx, zones, readings, merged, mbus, stats, inserted.newestBefore, inserted.gapHorizonMs ?? DEFAULT_GAP_HORIZON_MS, history);
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
