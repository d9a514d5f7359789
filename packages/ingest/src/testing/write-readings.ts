/**
 * For tests and seeds (`@sem/ingest/testing`): writes rows through the engine's real write transaction (writeBatch with the built-in steps and the
 * rollup step), as a request would after parsing. Each call is one batch with its own receive time.
 */
import type { Kysely } from 'kysely';
import type { Database } from '@sem/db';
import { rollupWriteStepWith } from '../rollups/rollup-write-step.ts';
import type { InsertedMbusReading, InsertedReading } from '../rollups/rollup.types.ts';
import { READING_SOURCES, type PreparedReading } from '../write/prepared-reading.ts';
import { writeBatch } from '../write/write-batch.ts';
import { DEFAULT_WRITE_STEPS } from '../write/write-steps.ts';

let lastReceived = 0;

/** An M-Bus capture and the reading that carries it (default: a reading at the capture time, empty if none is given). */
export type CarriedMbus = InsertedMbusReading & { carried_at?: Date };

/** `gapHorizonMs`: steps longer than this are gaps (default as in production, SEM_ROLLUP_GAP_HORIZON_H). */
export async function writeReadings(
  db: Kysely<any>,
  readings: readonly InsertedReading[],
  mbus: readonly CarriedMbus[] = [],
  opts: { gapHorizonMs?: number } = {},
): Promise<void> {
  // Batches get distinct receive times, as requests handled one transaction after another do.
  const receivedAt = new Date((lastReceived = Math.max(Date.now(), lastReceived + 1)));
  const prepared = new Map<string, PreparedReading>();
  const carrier = (deviceId: number, meterTime: Date): PreparedReading => {
    const key = `${deviceId}|${meterTime.getTime()}`;
    let p = prepared.get(key);
    if (!p) {
      p = { deviceId, meterTime, receivedAt, source: READING_SOURCES.json, columns: {}, mbus: [], powerFailures: [], peaks: [], raw: [], meter: null };
      prepared.set(key, p);
    }
    return p;
  };
  for (const { device_id, meter_time, ...columns } of readings) {
    const p = carrier(device_id, meter_time);
    if (Object.keys(p.columns).length > 0) {
      prepared.set(`${device_id}|${meter_time.getTime()}|${prepared.size}`, { ...p, columns: columns as PreparedReading['columns'], mbus: [] });
    } else p.columns = columns as PreparedReading['columns'];
  }
  for (const m of mbus) {
    carrier(m.device_id, m.carried_at ?? m.captured_at).mbus.push({ channel: m.channel, capturedAt: m.captured_at, deviceType: m.device_type, equipmentId: null, value: String(m.value), unit: 'm3', valvePosition: null });
  }
  await writeBatch(db as Kysely<Database>, [...prepared.values()], [...DEFAULT_WRITE_STEPS, rollupWriteStepWith(opts.gapHorizonMs)]);
}
