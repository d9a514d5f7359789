import { type Kysely, sql } from 'kysely';
import type { PreparedReading } from '../write/prepared-reading.ts';
import type { WriteStep } from '../write/write-steps.ts';
import { applyRollups } from './apply-rollups.ts';
import type { InsertedMbusReading, InsertedReading } from './rollup.types.ts';

type Candidate = InsertedMbusReading & { received_at: Date };

/**
 * The M-Bus captures this transaction stored. The mbus step inserts with IGNORE because every
 * telegram repeats the last capture; a row is new when it carries this batch's receive time.
 */
async function insertedMbus(db: Kysely<any>, rows: readonly PreparedReading[]): Promise<InsertedMbusReading[]> {
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
  const byChannel = new Map<string, Candidate[]>();
  for (const c of candidates.values()) {
    const k = `${c.device_id}|${c.channel}`;
    byChannel.set(k, [...(byChannel.get(k) ?? []), c]);
  }
  const out: InsertedMbusReading[] = [];
  for (const list of byChannel.values()) {
    const { device_id, channel } = list[0]!;
    const stored = await sql<{ captured_at: Date; received_at: Date; device_type: number | null }>`
      SELECT captured_at, received_at, device_type FROM mbus_reading
      WHERE device_id = ${device_id} AND channel = ${channel} AND captured_at IN (${sql.join(list.map((c) => c.captured_at))})`.execute(db);
    const receivedAt = new Map(stored.rows.map((s) => [s.captured_at.getTime(), s]));
    for (const c of list) {
      const s = receivedAt.get(c.captured_at.getTime());
      if (s && s.received_at.getTime() === c.received_at.getTime()) out.push({ ...c, device_type: s.device_type });
    }
  }
  return out;
}

/** The write-path step that keeps the rollups: register it with `app.writeQueue.addStep(rollupWriteStep)`. */
export const rollupWriteStep: WriteStep = {
  name: 'rollups',
  async run(trx, rows) {
    const readings: InsertedReading[] = rows.map((r) => ({ device_id: r.deviceId, meter_time: r.meterTime, ...r.columns }));
    await applyRollups(trx, { readings, mbus: await insertedMbus(trx, rows) });
  },
};
