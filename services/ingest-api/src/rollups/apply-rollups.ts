import { type Kysely, sql } from 'kysely';
import { applyRegisterRollups } from './register-rollup.ts';
import { applyStatRollups } from './stats-rollup.ts';
import type { InsertedRows } from './rollup.types.ts';

/**
 * Keeps the rollups in step with the raw tables. Call inside the write transaction, after the
 * inserts, with exactly the rows that were inserted (a duplicate that was ignored must not be
 * passed: its statistics would count twice). Order of arrival does not matter.
 */
export async function applyRollups(trx: Kysely<any>, inserted: InsertedRows): Promise<void> {
  const readings = inserted.readings ?? [];
  const mbus = inserted.mbus ?? [];
  if (readings.length === 0 && mbus.length === 0) return;
  const ids = [...new Set([...readings.map((r) => r.device_id), ...mbus.map((r) => r.device_id)])];
  const rows = await sql<{ id: number; time_zone: string }>`SELECT id, time_zone FROM device WHERE id IN (${sql.join(ids)})`.execute(trx);
  const zones = new Map(rows.rows.map((r) => [r.id, r.time_zone]));
  for (const id of ids) if (!zones.has(id)) throw new Error(`applyRollups: unknown device ${id}`);
  if (readings.length > 0) await applyStatRollups(trx, zones, readings);
  await applyRegisterRollups(trx, zones, readings, mbus);
}
