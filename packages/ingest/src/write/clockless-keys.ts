import { CompiledQuery, type Transaction } from 'kysely';
import type { Database } from '@sem/db';
import { sqlLiteral } from './sql-literal.ts';
import type { PreparedReading } from './prepared-reading.ts';

/**
 * Gives each clockless reading of the batch (keyed by its receive time) a millisecond of its own: the first
 * one at or after its receive time that no stored row and no other reading of the batch holds. Concurrent
 * requests of one device received in the same millisecond thus store every value; only a retried request
 * (request-once.ts) is a duplicate. Moves `meterTime` of those rows.
 */
export async function placeClockless(trx: Transaction<Database>, rows: readonly PreparedReading[]): Promise<void> {
  const byDevice = new Map<number, PreparedReading[]>();
  for (const r of rows) if (r.clockless) byDevice.set(r.deviceId, [...(byDevice.get(r.deviceId) ?? []), r]);
  for (const [deviceId, clockless] of byDevice) {
    clockless.sort((a, b) => a.meterTime.getTime() - b.meterTime.getTime());
    const from = clockless[0]!.meterTime.getTime();
    // Far enough for every reading of the batch to find a free millisecond among a second of stored ones.
    const to = clockless[clockless.length - 1]!.meterTime.getTime() + clockless.length + 1000;
    const stored = await trx.executeQuery<{ meter_time: Date }>(
      CompiledQuery.raw(
        `SELECT meter_time FROM reading WHERE device_id = ${sqlLiteral(deviceId)} AND meter_time >= ${sqlLiteral(new Date(from))} AND meter_time <= ${sqlLiteral(new Date(to))}`,
      ),
    );
    const taken = new Set(stored.rows.map((s) => s.meter_time.getTime()));
    for (const r of rows) if (r.deviceId === deviceId && !r.clockless) taken.add(r.meterTime.getTime());
    let next = -Infinity;
    for (const r of clockless) {
      let t = Math.max(r.meterTime.getTime(), next);
      while (taken.has(t)) t++;
      taken.add(t);
      next = t + 1;
      r.meterTime = new Date(t);
    }
  }
}
