import { createConnection, type Connection } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrapDatabase, createKysely, pendingMigrations, quoteIdent, READONLY_USER_LIMITS, type BootstrapOptions } from '../src/index.ts';
import { testDbPrefix, testServer, workerId } from '../src/testing/test-database.ts';
import type { DbConnectionConfig } from '../src/connection.ts';

// Server-wide names: prefixed and per worker, dropped afterwards.
const id = workerId();
const opts: BootstrapOptions = {
  database: `${testDbPrefix('ingest_boot')}_${id}`,
  owner: { user: `${testDbPrefix('ingest_own')}_${id}`, password: 'owner-pw-1' },
  api: { user: `${testDbPrefix('ingest_api')}_${id}`, password: 'api-pw-1' },
  readonly: { user: `${testDbPrefix('ingest_ro')}_${id}`, password: 'ro-pw-1' },
};

let server: DbConnectionConfig;
const open: Connection[] = [];
async function connectAs(user: string, password: string): Promise<Connection> {
  const c = await createConnection({ host: server.host, port: server.port, user, password, database: opts.database });
  open.push(c);
  return c;
}

async function cleanup(): Promise<void> {
  const admin = await createConnection({ ...server, database: undefined });
  await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(opts.database)}`);
  for (const u of [opts.owner, opts.api, opts.readonly]) await admin.query('DROP USER IF EXISTS ?@?', [u.user, '%']);
  await admin.end();
}

beforeAll(async () => {
  server = await testServer();
  await cleanup();
  await bootstrapDatabase(server, opts);
  await bootstrapDatabase(server, opts); // idempotent
});
afterAll(async () => {
  for (const c of open) await c.end();
  await cleanup();
});

const DENIED = /denied|command denied/i;

describe('db bootstrap: three users with least privilege', () => {
  it('lets the API user read and write its tables but run no DDL', async () => {
    const api = await connectAs(opts.api.user, opts.api.password);
    await api.query("INSERT INTO device (name, time_zone, country, send_interval_s, created_at, updated_at) VALUES ('x', 'Europe/Brussels', 'BE', 60, NOW(3), NOW(3))");
    await api.query("UPDATE device SET send_interval_s = 30 WHERE name = 'x'");
    const [rows] = await api.query('SELECT COUNT(*) AS n FROM device');
    expect((rows as { n: number }[])[0]!.n).toBe(1);
    await expect(api.query('CREATE TABLE evil (id int)')).rejects.toThrow(DENIED);
    await expect(api.query('ALTER TABLE reading ADD COLUMN evil int')).rejects.toThrow(DENIED);
    await expect(api.query('DROP TABLE reading')).rejects.toThrow(DENIED);
    // It may read which migrations ran (readiness), never change them.
    await api.query('SELECT name FROM kysely_migration');
    await expect(api.query("DELETE FROM kysely_migration WHERE name = 'x'")).rejects.toThrow(DENIED);
    await expect(api.query("INSERT INTO kysely_migration (name, timestamp) VALUES ('x', 'y')")).rejects.toThrow(DENIED);
    await api.query("DELETE FROM device WHERE name = 'x'");
  });

  it('lets the API user see that no migration is pending', async () => {
    const api = createKysely({ host: server.host, port: server.port, user: opts.api.user, password: opts.api.password, database: opts.database });
    try {
      expect(await pendingMigrations(api)).toEqual([]);
    } finally {
      await api.destroy();
    }
  });

  it('lets the read-only user SELECT data, but not DELETE, not DDL and not the key tables', async () => {
    const ro = await connectAs(opts.readonly.user, opts.readonly.password);
    await ro.query('SELECT * FROM reading LIMIT 1');
    await ro.query('SELECT name, time_zone FROM device LIMIT 1');
    await expect(ro.query('DELETE FROM reading')).rejects.toThrow(DENIED);
    await expect(ro.query("INSERT INTO device (name) VALUES ('y')")).rejects.toThrow(DENIED);
    await expect(ro.query('CREATE TABLE evil (id int)')).rejects.toThrow(DENIED);
    await expect(ro.query('DROP TABLE reading')).rejects.toThrow(DENIED);
    await expect(ro.query('SELECT * FROM device_key')).rejects.toThrow(DENIED);
    await expect(ro.query('SELECT * FROM device_han_key')).rejects.toThrow(DENIED);
    await expect(ro.query('SELECT * FROM device_p1_key')).rejects.toThrow(DENIED);
  });

  it('caps the read-only user: statement time and connections (READONLY_USER_LIMITS)', async () => {
    const ro = await connectAs(opts.readonly.user, opts.readonly.password);
    const [rows] = await ro.query('SELECT @@max_statement_time AS t');
    expect(Number((rows as { t: string }[])[0]!.t)).toBe(READONLY_USER_LIMITS.maxStatementTimeS);
    const extra: Connection[] = [];
    try {
      // Other tests of this file may hold some of its connections: open until refused, and count.
      let refused: unknown;
      for (let i = 0; i < READONLY_USER_LIMITS.maxUserConnections + 1 && !refused; i++) {
        await connectAs(opts.readonly.user, opts.readonly.password).then((c) => extra.push(c), (err: unknown) => (refused = err));
      }
      expect(String((refused as Error | undefined)?.message)).toMatch(/max_user_connections/);
    } finally {
      for (const c of extra) {
        open.splice(open.indexOf(c), 1);
        await c.end();
      }
    }
  });

  it('lets the owner run DDL and re-grant', async () => {
    const owner = await connectAs(opts.owner.user, opts.owner.password);
    await owner.query('CREATE TABLE owner_probe (id int)');
    await owner.query('DROP TABLE owner_probe');
    await owner.query('GRANT SELECT ON reading TO ?@?', [opts.readonly.user, '%']);
  });
});
