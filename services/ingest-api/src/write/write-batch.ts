import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '@sem/db';
import type { PreparedReading } from './prepared-reading.ts';
import { chunks, type WriteStep } from './write-steps.ts';

export type RowOutcome = 'stored' | 'duplicate';

function key(deviceId: number, t: Date): string {
  return `${deviceId}:${t.getTime()}`;
}

/** (device, meter time) pairs of this batch that are already stored. */
async function existingKeys(trx: Transaction<Database>, rows: readonly PreparedReading[]): Promise<Set<string>> {
  const byDevice = new Map<number, Date[]>();
  for (const r of rows) {
    const list = byDevice.get(r.deviceId) ?? [];
    list.push(r.meterTime);
    byDevice.set(r.deviceId, list);
  }
  const found = new Set<string>();
  for (const [deviceId, times] of byDevice) {
    for (const part of chunks(times, 5000)) {
      const existing = await trx
        .selectFrom('reading')
        .select(['device_id', 'meter_time'])
        .where('device_id', '=', deviceId)
        .where('meter_time', 'in', part)
        .execute();
      for (const e of existing) found.add(key(e.device_id, e.meter_time));
    }
  }
  return found;
}

function readingRow(r: PreparedReading) {
  return { device_id: r.deviceId, meter_time: r.meterTime, received_at: r.receivedAt, source: r.source, ...r.columns };
}

/**
 * Writes a batch in one transaction: reading rows first (deciding which are duplicates), then every
 * step for the new rows. Returns one outcome per input row, in order. Throws (and rolls back) on any error.
 */
export async function writeBatch(
  db: Kysely<Database>,
  rows: readonly PreparedReading[],
  steps: readonly WriteStep[],
): Promise<{ outcomes: RowOutcome[]; inserted: number }> {
  return db.transaction().execute(async (trx) => {
    const existing = await existingKeys(trx, rows);
    const seen = new Set<string>();
    const outcomes: RowOutcome[] = [];
    const fresh: PreparedReading[] = [];
    for (const r of rows) {
      const k = key(r.deviceId, r.meterTime);
      if (existing.has(k) || seen.has(k)) outcomes.push('duplicate');
      else {
        seen.add(k);
        fresh.push(r);
        outcomes.push('stored');
      }
    }
    let inserted = 0;
    // ~55 columns per row: 1000 rows stay far below the placeholder limit.
    for (const part of chunks(fresh, 1000)) {
      // IGNORE only guards against a concurrent writer in another process; our own duplicates were filtered above.
      const res = await trx.insertInto('reading').ignore().values(part.map(readingRow)).executeTakeFirst();
      inserted += Number(res.numInsertedOrUpdatedRows ?? 0n);
    }
    for (const step of steps) await step.run(trx, fresh);
    return { outcomes, inserted };
  });
}

/** Used by readiness: the database answers a trivial query. */
export async function pingDatabase(db: Kysely<Database>): Promise<void> {
  await sql`SELECT 1`.execute(db);
}
