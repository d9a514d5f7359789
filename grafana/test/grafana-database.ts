/** A seeded test database and a connection as Grafana's read-only datasource user (SELECT on the readable tables, session zone UTC). */
import { randomBytes } from 'node:crypto';
import { createConnection, type Connection } from 'mysql2/promise';
import type { Kysely } from 'kysely';
import { READONLY_TABLES, ROLLUP_TABLES } from '@sem/db';
import { createTestDatabase, testDbPrefix, type TestDatabase } from '@sem/db/testing';
import { GrafanaRunner } from './grafana-runner.ts';

export interface GrafanaDatabase {
  t: TestDatabase;
  g: GrafanaRunner;
  close(): Promise<void>;
}

export async function openGrafanaDatabase(suite: string, seed: (db: Kysely<any>) => Promise<void>): Promise<GrafanaDatabase> {
  const t = await createTestDatabase(testDbPrefix(suite), { fresh: true });
  await seed(t.db);
  const admin = await createConnection({ ...t.server, database: t.name });
  const roUser = `${t.name}_ro`;
  const password = randomBytes(12).toString('hex');
  await admin.query('DROP USER IF EXISTS ?@?', [roUser, '%']);
  await admin.query('CREATE USER ?@? IDENTIFIED BY ?', [roUser, '%', password]);
  for (const table of [...READONLY_TABLES, ...ROLLUP_TABLES]) await admin.query(`GRANT SELECT ON \`${t.name}\`.\`${table}\` TO ?@?`, [roUser, '%']);
  const ro: Connection = await createConnection({
    host: t.server.socketPath ? undefined : t.server.host,
    port: t.server.port,
    socketPath: t.server.socketPath,
    user: roUser,
    password,
    database: t.name,
    timezone: 'Z',
    decimalNumbers: true,
    supportBigNumbers: true,
  });
  // What Grafana does when jsonData.timezone is set.
  await ro.query("SET time_zone = '+00:00'");
  return {
    t,
    g: new GrafanaRunner(ro),
    async close() {
      await ro.end();
      await admin.query('DROP USER IF EXISTS ?@?', [roUser, '%']);
      await admin.end();
      await t.destroy();
    },
  };
}
