import { sql, type Kysely } from 'kysely';
import { QUANTITY_COLUMNS, type Database } from '@sem/db';
import type { Reading } from '@sem/meter-protocol';
import { prepareReading } from '@sem/ingest';

/** How far back a redelivered reading without meter time is looked for (an ingest outage longer than this re-stores it). */
export const TIMELESS_REDELIVERY_WINDOW_MS = 24 * 60 * 60 * 1000;

const ALL_COLUMNS = Object.values(QUANTITY_COLUMNS).map((spec) => spec.column);

/**
 * Deduplication keys a reading by (device, meter time). A reading without meter time (DSMR 2.2/3,
 * some JSON) is keyed by its receive time (plus its position in the message, in ms), which is new on a redelivery; if the crashed process had
 * committed it but not acknowledged it, it would be stored twice. For messages the broker marks as
 * redelivered (DUP) only, such a reading counts as a duplicate when the device already has a
 * receive-time-keyed row with exactly the same values in the window.
 */
export async function dropStoredTimeless(
  db: Kysely<Database>,
  deviceId: number,
  readings: readonly Reading[],
  receivedAt: Date,
): Promise<{ readings: Reading[]; duplicates: number }> {
  const kept: Reading[] = [];
  let duplicates = 0;
  for (const reading of readings) {
    if (reading.meterTime !== null) {
      kept.push(reading);
      continue;
    }
    const prepared = prepareReading(reading, { deviceId, receivedAt, source: 'mqtt' });
    if (!('ok' in prepared)) {
      kept.push(reading);
      continue;
    }
    const values = prepared.ok.columns as Record<string, number | undefined>;
    let query = db
      .selectFrom('reading')
      .select('device_id')
      .where('device_id', '=', deviceId)
      .where('received_at', '>=', new Date(receivedAt.getTime() - TIMELESS_REDELIVERY_WINDOW_MS))
      // Keyed by receive time plus its position in its message (timelessKey), at most the request limit in ms.
      .where(sql<boolean>`meter_time >= received_at AND meter_time < received_at + INTERVAL 100 SECOND`);
    for (const column of ALL_COLUMNS) {
      const value = values[column];
      query = query.where(sql<boolean>`${sql.ref(column)} <=> ${value ?? null}`);
    }
    const found = await query.limit(1).executeTakeFirst();
    if (found) duplicates++;
    else kept.push(reading);
  }
  return { readings: kept, duplicates };
}
