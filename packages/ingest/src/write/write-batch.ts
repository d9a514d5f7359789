import { CompiledQuery, sql, type Kysely, type Transaction } from 'kysely';
import { READING_VALUE_COLUMNS as VALUE_COLUMNS, type Database, type ReadingValueColumn } from '@sem/db';
import type { PreparedReading } from './prepared-reading.ts';
import { IngestError } from '../errors/ingest-error.ts';
import { planMerge, readingKey, type RowOutcome } from './reading-merge.ts';
import { deviceStates } from './device-states.ts';
import { insertText, sqlLiteral, valuesText } from './sql-literal.ts';
import { chunks } from './chunks.ts';
import type { WriteStep } from './write-steps.ts';
import { claimRequests } from './request-once.ts';
import { placeClockless } from './clockless-keys.ts';

export type { RowOutcome } from './reading-merge.ts';

// A merge fills NULL columns only: a stored value is never overwritten.
const FILL_NULLS = VALUE_COLUMNS.map((c) => `\`${c}\` = COALESCE(\`${c}\`, VALUES(\`${c}\`))`).join(', ');

/** Another writer changed a key of this batch between our SELECT and INSERT; the transaction is rolled back and retried. */
export class WriteConflictError extends Error {
  constructor(expected: number, got: number) {
    super(`reading rows changed under the write transaction (affected ${got}, expected ${expected})`);
    this.name = 'WriteConflictError';
  }
}

const STORED_COLS = sql.raw(['device_id', 'meter_time', ...VALUE_COLUMNS].map((c) => `\`${c}\``).join(', '));

/**
 * The stored value columns of the (device, meter time) pairs of this batch that already exist: one
 * statement per 2,000 keys (`(device_id, meter_time) IN (…)` is a range of primary-key dives), not one per device.
 */
async function storedRows(trx: Transaction<Database>, rows: readonly PreparedReading[]): Promise<Map<string, PreparedReading['columns']>> {
  if (rows.length === 0) return new Map();
  const keys = new Map<string, PreparedReading>();
  for (const r of rows) keys.set(readingKey(r.deviceId, r.meterTime), r);
  const found = new Map<string, PreparedReading['columns']>();
  for (const part of chunks([...keys.values()], 2000)) {
    const pairs = sql.raw(valuesText(part.map((r) => [r.deviceId, r.meterTime])));
    const existing = await sql<Record<string, unknown> & { device_id: number; meter_time: Date }>`
      SELECT ${STORED_COLS} FROM reading WHERE (device_id, meter_time) IN (${pairs})`.execute(trx);
    for (const { device_id, meter_time, ...columns } of existing.rows) found.set(readingKey(device_id, meter_time), columns as PreparedReading['columns']);
  }
  return found;
}

const VALUE_COLUMN_SET = new Set<string>(VALUE_COLUMNS);

/**
 * One multi-row INSERT … ON DUPLICATE KEY UPDATE of reading rows as plain SQL text (building a Kysely
 * node per value cost more API CPU than the rest of the request). Value columns are those any row carries; a
 * row without one gives NULL, the column's default. Returns MariaDB's affected-rows count.
 */
async function insertReadings(trx: Transaction<Database>, rows: readonly PreparedReading[]): Promise<number> {
  const carried = new Set<string>();
  for (const r of rows) for (const c in r.columns) carried.add(c);
  const cols = [...carried] as ReadingValueColumn[];
  // Names go into the SQL text: only the table's own columns.
  for (const c of cols) if (!VALUE_COLUMN_SET.has(c)) throw new Error(`not a reading column: ${c}`);
  const values = rows.map((r) => [r.deviceId, r.meterTime, r.receivedAt, r.source, ...cols.map((c) => r.columns[c])]);
  const text = insertText('reading', ['device_id', 'meter_time', 'received_at', 'source', ...cols], values, { onDuplicate: FILL_NULLS });
  const res = await trx.executeQuery(CompiledQuery.raw(text));
  return Number(res.numAffectedRows ?? 0n);
}

/**
 * Locks the batch's device rows, in id order, before anything is read: a writer in another process
 * (another API replica, mqtt-ingest) that holds one of them commits first. This locking read opens no
 * snapshot; the first plain read after it does, so everything below sees the other writer's rows
 * (REPEATABLE READ takes its snapshot at the first consistent read).
 */
async function lockDevices(trx: Transaction<Database>, deviceIds: readonly number[]): Promise<void> {
  const ids = [...deviceIds].sort((a, b) => a - b);
  for (const part of chunks(ids, 1000)) {
    await trx.executeQuery(CompiledQuery.raw(`SELECT id FROM device WHERE id IN (${part.map(sqlLiteral).join(', ')}) ORDER BY id FOR UPDATE`));
  }
}

/**
 * Writes a batch in one transaction: its devices' rows locked (one writer per device at a time, across processes), its devices' state (zone, newest stored row), the stored rows of keys that
 * may exist (not newer than a device's newest), then the reading rows (new keys inserted,
 * stored keys gaining only their NULL columns, one multi-row statement), then every step for the rows that added something;
 * after COMMIT each step's `committed` hook. Returns one outcome per input row, in order. Throws (and rolls back) on any error.
 */
export async function writeBatch(
  db: Kysely<Database>,
  all: readonly PreparedReading[],
  steps: readonly WriteStep[],
): Promise<{ outcomes: RowOutcome[]; inserted: number; merged: number }> {
  const ran: unknown[] = [];
  const result = await db.transaction().execute(async (trx) => {
    // Device rows first: no plain read may open the snapshot before the other writers' rows are committed.
    await lockDevices(trx, [...new Set(all.map((r) => r.deviceId))]);
    // Rows of a request written before (a retry) add nothing; the others are written.
    const retried = await claimRequests(trx, all);
    const rows = retried.size === 0 ? all : all.filter((r) => !r.request || !retried.has(r.request));
    await placeClockless(trx, rows);
    const devices = await deviceStates(trx, [...new Set(rows.map((r) => r.deviceId))]);
    // A device deleted after its key was checked (a cached key elsewhere): its request is refused, the others of the batch are retried alone.
    const gone = rows.find((r) => !devices.has(r.deviceId));
    if (gone) throw new IngestError('unknown-device', 'unknown or revoked API key', { details: { deviceId: gone.deviceId } });
    // A reading newer than its device's newest stored row cannot be stored yet: only the others are looked up.
    const maybeStored = rows.filter((r) => {
      const newest = devices.get(r.deviceId)?.newest;
      return newest !== undefined && r.meterTime.getTime() <= newest.meter_time.getTime();
    });
    const plan = planMerge(rows, await storedRows(trx, maybeStored));
    let inserted = 0;
    let merged = 0;
    // ~55 columns per row: 1000 rows keep a statement to a few hundred kB.
    for (const part of chunks(plan.writes, 1000)) {
      const got = await insertReadings(trx, part.map((w) => w.row));
      // MariaDB counts 1 per inserted row and 2 per changed row: anything else means another writer got there first.
      const fresh = part.filter((w) => w.isNew).length;
      const expected = fresh + 2 * (part.length - fresh);
      if (got !== expected) throw new WriteConflictError(expected, got);
      inserted += fresh;
      merged += part.length - fresh;
    }
    for (const step of steps) ran.push(await step.run(trx, plan.written, devices));
    let i = 0;
    const outcomes = retried.size === 0 ? plan.outcomes : all.map((r): RowOutcome => (r.request && retried.has(r.request) ? 'duplicate' : plan.outcomes[i++]!));
    return { outcomes, inserted, merged };
  });
  for (const [i, step] of steps.entries()) step.committed?.(ran[i]);
  return result;
}

/** Used by readiness: the database answers a trivial query. */
export async function pingDatabase(db: Kysely<Database>): Promise<void> {
  await sql`SELECT 1`.execute(db);
}
