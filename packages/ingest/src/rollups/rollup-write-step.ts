import { CompiledQuery, type Kysely } from 'kysely';
import { sqlLiteral } from '../write/sql-literal.ts';
import type { PreparedReading } from '../write/prepared-reading.ts';
import type { WrittenReading } from '../write/reading-merge.ts';
import type { DeviceState } from '../write/device-states.ts';
import { chunks } from '../write/chunks.ts';
import { captureKey, capturesInserted, type WriteStep } from '../write/write-steps.ts';
import { rollupDelta } from './apply-rollups.ts';
import type { RollupDelta } from './rollup-delta.ts';
import { writeRollupDelta } from './write-rollup-delta.ts';
import type { InsertedMbusReading, InsertedReading } from './rollup.types.ts';

type Candidate = InsertedMbusReading & { received_at: Date };

/**
 * The M-Bus captures this transaction stored: as the mbus step found them (exact), or, where that step did not
 * run in this transaction, the stored rows that carry this batch's receive time.
 */
async function insertedMbus(db: Kysely<any>, rows: readonly WrittenReading[]): Promise<InsertedMbusReading[]> {
  const candidates = new Map<string, Candidate>();
  for (const r of rows) {
    for (const m of r.mbus) {
      const key = `${r.deviceId}|${m.channel}|${m.capturedAt.getTime()}`;
      if (!candidates.has(key)) {
        candidates.set(key, { device_id: r.deviceId, channel: m.channel, captured_at: m.capturedAt, device_type: m.deviceType, value: m.value, received_at: r.receivedAt });
      }
    }
  }
  if (candidates.size === 0) return [];
  const known = capturesInserted(rows);
  if (known) {
    return [...candidates.values()]
      .filter((c) => known.has(captureKey(c.device_id, c.channel, c.captured_at)))
      .map((c) => ({ device_id: c.device_id, channel: c.channel, captured_at: c.captured_at, device_type: c.device_type, value: c.value }));
  }
  const list = [...candidates.values()];
  const out: InsertedMbusReading[] = [];
  for (const part of chunks(list, 500)) {
    const which = part.map((c) => `(device_id = ${sqlLiteral(c.device_id)} AND channel = ${sqlLiteral(c.channel)} AND captured_at = ${sqlLiteral(c.captured_at)})`);
    const stored = await db.executeQuery<{ device_id: number; channel: number; captured_at: Date; received_at: Date; device_type: number | null }>(
      CompiledQuery.raw(`SELECT device_id, channel, captured_at, received_at, device_type FROM mbus_reading WHERE ${which.join(' OR ')}`),
    );
    const byKey = new Map(stored.rows.map((s) => [`${s.device_id}|${s.channel}|${s.captured_at.getTime()}`, s]));
    for (const c of part) {
      const s = byKey.get(`${c.device_id}|${c.channel}|${c.captured_at.getTime()}`);
      if (s && s.received_at.getTime() === c.received_at.getTime()) {
        out.push({ device_id: c.device_id, channel: c.channel, captured_at: c.captured_at, device_type: s.device_type, value: c.value });
      }
    }
  }
  return out;
}

/** What the batch's written rows add to the rollups; `devices` as found before they were written (newest rows: in-order readings need no neighbour look-ups). */
export async function batchRollupDelta(
  trx: Kysely<any>,
  rows: readonly WrittenReading[],
  devices: ReadonlyMap<number, DeviceState>,
  gapHorizonMs?: number,
): Promise<RollupDelta> {
  const row = (r: PreparedReading): InsertedReading => ({ device_id: r.deviceId, meter_time: r.meterTime, ...r.columns });
  // A merged reading carries only the columns it filled: the rollups add exactly those values.
  const readings = rows.filter((r) => r.outcome !== 'merged').map(row);
  const merged = rows.filter((r) => r.outcome === 'merged').map(row);
  const newestBefore = new Map<number, InsertedReading>();
  for (const [id, d] of devices) if (d.newest) newestBefore.set(id, d.newest);
  return rollupDelta(trx, { readings, merged, mbus: await insertedMbus(trx, rows), newestBefore, devices, gapHorizonMs });
}

/**
 * The write-path step that keeps the rollups in the write transaction itself (SEM_ROLLUP_FLUSH_MS=0; the
 * default defers them, see deferred-rollups.ts): `writeQueue.addStep(rollupWriteStep)`.
 */
export const rollupWriteStep: WriteStep = rollupWriteStepWith();

/** The same step with another gap horizon (SEM_ROLLUP_GAP_HORIZON_H). */
export function rollupWriteStepWith(gapHorizonMs?: number): WriteStep {
  return {
    name: 'rollups',
    async run(trx, rows, devices) {
      await writeRollupDelta(trx, await batchRollupDelta(trx, rows, devices, gapHorizonMs));
    },
  };
}
