/**
 * One MariaDB database per vitest worker, migrated with the production migrations, cleared per test.
 *
 * Server: the one the run's global setup chose (test-server.ts: SEM_TEST_DB, SEM_TEST_MARIADB_URL, the
 * local server, or one container for the whole run). Database name: `<prefix>_<VITEST_POOL_ID>`; only
 * that database is ever created, cleared or dropped. Usage: see db/README.md.
 */
import { createConnection } from 'mysql2/promise';
import { type Kysely, sql } from 'kysely';
import { inject } from 'vitest';
import { createKysely, type DbConnectionConfig } from '../connection.ts';
import { DATA_TABLES, type Database } from '../database.types.ts';
import { quoteIdent } from '../grants.ts';
import { migrateToLatest } from '../migrate.ts';
import type { ProvidedMariadb } from './provided-context.ts';
import { localServer, testEnv, urlServer } from './test-server.ts';

export interface TestDatabase {
  /** The database name, `<prefix>_<pool id>`. */
  name: string;
  /** Server credentials with `database` set: hand it to the code under test. */
  connection: DbConnectionConfig;
  /** Server credentials without a database (for tests that create users or other databases). */
  server: DbConnectionConfig;
  db: Kysely<Database>;
  /** Deletes every row of the app's tables (children first). Call in beforeEach. */
  clear(extraTables?: readonly string[]): Promise<void>;
  /** Closes the pool (the database is kept for the next file of this worker). */
  destroy(): Promise<void>;
}

export interface TestDatabaseOptions {
  /** Drop and recreate the database first (for schema tests). */
  fresh?: boolean;
  /** Skip migrations (for migration tests). */
  migrate?: boolean;
}

/** A suite's database prefix: `<SEM_TEST_DB_PREFIX>_<suite>` when set, so concurrent runs never share (or drop) one; else `sem_test_<suite>`. */
export function testDbPrefix(suite: string): string {
  return `${testEnv('SEM_TEST_DB_PREFIX') ?? 'sem_test'}_${suite}`;
}

export function workerId(): string {
  return testEnv('VITEST_POOL_ID') ?? testEnv('VITEST_WORKER_ID') ?? '0';
}

function injectedServer(): ProvidedMariadb | undefined {
  try {
    return inject('semTestMariadb');
  } catch {
    return undefined; // not inside a vitest worker
  }
}

/** The run's server, chosen once by the global setup (test-server.ts) and injected into every worker. */
export async function testServer(): Promise<DbConnectionConfig> {
  const provided = injectedServer();
  if (provided) return provided.server;
  // Run without the repo's vitest.config.ts (no global setup): an explicit or local server only.
  const server = urlServer() ?? (await localServer());
  if (!server) throw new Error('no test MariaDB: run through the repo\'s vitest.config.ts (its global setup picks one), or set SEM_TEST_MARIADB_URL');
  return server;
}

export async function createTestDatabase(prefix: string, options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  if (!/^[a-z0-9_]+$/.test(prefix)) throw new Error(`test database prefix must be [a-z0-9_]: ${prefix}`);
  const name = `${prefix}_${workerId()}`;
  const server = await testServer();
  const admin = await createConnection({ ...server, database: undefined });
  try {
    if (options.fresh) await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)}`);
    await admin.query(`CREATE DATABASE IF NOT EXISTS ${quoteIdent(name)} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
  } finally {
    await admin.end();
  }
  const connection: DbConnectionConfig = { ...server, database: name, connectionLimit: 5 };
  const db = createKysely(connection);
  if (options.migrate !== false) await migrateToLatest(db);
  return {
    name,
    connection,
    server,
    db,
    async clear(extraTables: readonly string[] = []) {
      for (const table of [...extraTables, ...DATA_TABLES]) {
        await sql`DELETE FROM ${sql.table(table)}`.execute(db);
      }
    },
    async destroy() {
      await db.destroy();
    },
  };
}
