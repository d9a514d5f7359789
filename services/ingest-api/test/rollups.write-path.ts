/** Test stand-in for the ingest write path: INSERT IGNORE ... RETURNING, then applyRollups with what was inserted. */
import { type Kysely, sql } from 'kysely';
import { applyRollups, type InsertedMbusReading, type InsertedReading } from '../src/rollups/index.ts';

async function insertIgnoreReturning<T extends Record<string, unknown>>(db: Kysely<any>, table: string, rows: readonly T[], key: readonly string[]): Promise<T[]> {
  if (rows.length === 0) return [];
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const values = rows.map((r) => sql`(${sql.join(cols.map((c) => sql`${r[c] ?? null}`))})`);
  const res = await sql<Record<string, unknown>>`INSERT IGNORE INTO ${sql.table(table)} (${sql.raw(cols.join(', '))}) VALUES ${sql.join(values)} RETURNING ${sql.raw(key.join(', '))}`.execute(db);
  const id = (r: Record<string, unknown>) => key.map((k) => (r[k] instanceof Date ? (r[k] as Date).getTime() : String(r[k]))).join('|');
  const inserted = new Set(res.rows.map(id));
  // A key repeated inside one batch is inserted once: pass its first row only.
  return rows.filter((r) => inserted.delete(id(r)));
}

export async function writeReadings(db: Kysely<any>, readings: readonly InsertedReading[], mbus: readonly InsertedMbusReading[] = []): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const now = new Date();
    const r = await insertIgnoreReturning(trx, 'reading', readings.map((x) => ({ received_at: now, source: 1, ...x })), ['device_id', 'meter_time']);
    const m = await insertIgnoreReturning(trx, 'mbus_reading', mbus.map((x) => ({ received_at: now, ...x })), ['device_id', 'channel', 'captured_at']);
    await applyRollups(trx, { readings: r, mbus: m });
  });
}
