import { readdirSync } from 'node:fs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUANTITIES } from '@sem/meter-protocol';
import { MIGRATIONS_DIR, migrateToLatest, pendingMigrations, QUANTITY_COLUMNS } from '../src/index.ts';
import { createTestDatabase, testDbPrefix, type TestDatabase } from '../src/testing/test-database.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase(testDbPrefix('ingest_schema'), { fresh: true });
});
afterAll(async () => {
  await t.db.schema.dropTable('kysely_migration').ifExists().execute();
  await sql`DROP DATABASE IF EXISTS ${sql.id(t.name)}`.execute(t.db);
  await t.destroy();
});

describe('migrations', () => {
  it('are named <timestamp>_<verb>_<object>.ts', () => {
    const files = readdirSync(MIGRATIONS_DIR);
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) expect(f).toMatch(/^\d{14}_[a-z]+_[a-z0-9_]+\.ts$/);
  });

  it('leave nothing pending and are idempotent', async () => {
    expect(await pendingMigrations(t.db)).toEqual([]);
    expect(await migrateToLatest(t.db)).toEqual([]);
  });

  it('give every quantity of the protocol contract its own integer column', async () => {
    const rows = await sql<{ COLUMN_NAME: string; DATA_TYPE: string }>`
      SELECT COLUMN_NAME, DATA_TYPE FROM information_schema.COLUMNS
      WHERE TABLE_SCHEMA = ${t.name} AND TABLE_NAME = 'reading'`.execute(t.db);
    const types = new Map(rows.rows.map((r) => [r.COLUMN_NAME, r.DATA_TYPE]));
    for (const q of QUANTITIES) {
      const col = QUANTITY_COLUMNS[q].column;
      expect(types.get(col), `${q} -> ${col}`).toMatch(/int$/);
      const rest = (QUANTITY_COLUMNS[q] as { rest?: { column: string } }).rest;
      if (rest) expect(types.get(rest.column), `${q} -> ${rest.column}`).toMatch(/^(tiny|small)int$/);
    }
    expect(types.get('meter_time')).toBe('datetime');
  });

  it('store readings compressed, keyed by device and meter time', async () => {
    const r = await sql<{ ROW_FORMAT: string; CREATE_OPTIONS: string }>`
      SELECT ROW_FORMAT, CREATE_OPTIONS FROM information_schema.TABLES WHERE TABLE_SCHEMA = ${t.name} AND TABLE_NAME = 'reading'`.execute(t.db);
    expect(r.rows[0]?.ROW_FORMAT).toBe('Compressed');
    expect(r.rows[0]?.CREATE_OPTIONS).toMatch(/key_block_size=4/i);
    const k = await sql<{ COLUMN_NAME: string }>`
      SELECT COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE
      WHERE TABLE_SCHEMA = ${t.name} AND TABLE_NAME = 'reading' AND CONSTRAINT_NAME = 'PRIMARY' ORDER BY ORDINAL_POSITION`.execute(t.db);
    expect(k.rows.map((x) => x.COLUMN_NAME)).toEqual(['device_id', 'meter_time']);
  });
});
