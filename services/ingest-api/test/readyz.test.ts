import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testDbPrefix, type TestDatabase } from '@sem/db/testing';
import { testApp } from './test-app.ts';

let t: TestDatabase;
let app: FastifyInstance;
beforeAll(async () => {
  // Its own database: this test takes a migration back out of the log.
  t = await createTestDatabase(testDbPrefix('ingest_ready'), { fresh: true });
});
afterAll(async () => {
  await app?.close();
  await t?.destroy();
});

describe('/readyz and the schema', () => {
  it('answers 503 in the one error shape while migrations are pending, then 200, and stops looking once it passed', async () => {
    const log = await sql<{ name: string; timestamp: string }>`SELECT name, timestamp FROM kysely_migration ORDER BY name DESC LIMIT 1`.execute(t.db);
    const newest = log.rows[0]!;
    // The database as it was before the newest migration was recorded.
    await sql`DELETE FROM kysely_migration WHERE name = ${newest.name}`.execute(t.db);
    app = await testApp(t);
    const behind = await app.inject({ method: 'GET', url: '/readyz' });
    expect(behind.statusCode).toBe(503);
    expect(Number(behind.headers['retry-after'])).toBeGreaterThan(0);
    expect(behind.json()).toEqual({
      error: { code: 'service_unavailable', message: expect.stringContaining('1 migration(s) pending'), details: { reason: 'migrations_pending', pending: [newest.name] } },
    });

    await sql`INSERT INTO kysely_migration (name, timestamp) VALUES (${newest.name}, ${newest.timestamp})`.execute(t.db);
    const ready = await app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode, ready.body).toBe(200);
    expect(ready.json()).toEqual({ status: 'ok' });

    // Passed once: later probes only ping (a schema never goes back).
    await sql`DELETE FROM kysely_migration WHERE name = ${newest.name}`.execute(t.db);
    expect((await app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    await sql`INSERT INTO kysely_migration (name, timestamp) VALUES (${newest.name}, ${newest.timestamp})`.execute(t.db);
  });
});
