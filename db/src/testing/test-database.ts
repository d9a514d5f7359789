/**
 * One MariaDB database per vitest worker, migrated with the production migrations, cleared per test.
 *
 * Server: SEM_TEST_MARIADB_URL (e.g. mysql://root@127.0.0.1:3306) when set; otherwise a local server that
 * answers as root without password on 127.0.0.1:3306; otherwise a testcontainers `mariadb:11.4` container
 * (Docker or Podman). Database name: `<prefix>_<VITEST_POOL_ID>`; only that database is ever created,
 * cleared or dropped. Usage: see db/README.md.
 */
import { createConnection } from 'mysql2/promise';
import { type Kysely, sql } from 'kysely';
import { createKysely, parseMysqlUrl, type DbConnectionConfig } from '../connection.ts';
import { DATA_TABLES, type Database } from '../database.types.ts';
import { quoteIdent } from '../grants.ts';
import { migrateToLatest } from '../migrate.ts';

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

let containerServer: Promise<DbConnectionConfig> | undefined;

// Test-only environment lookup, kept in this one helper.
function testEnv(name: string): string | undefined {
  const v = process.env[name];
  return v === undefined || v === '' ? undefined : v;
}

/** A suite's database prefix: `<SEM_TEST_DB_PREFIX>_<suite>` when set, so concurrent runs never share (or drop) one; else `sem_test_<suite>`. */
export function testDbPrefix(suite: string): string {
  return `${testEnv('SEM_TEST_DB_PREFIX') ?? 'sem_test'}_${suite}`;
}

export function workerId(): string {
  return testEnv('VITEST_POOL_ID') ?? testEnv('VITEST_WORKER_ID') ?? '0';
}

async function startContainer(): Promise<DbConnectionConfig> {
  const { MariaDbContainer } = await import('@testcontainers/mariadb');
  const container = await new MariaDbContainer('mariadb:11.4').withRootPassword('test').start();
  return { host: container.getHost(), port: container.getPort(), user: 'root', password: 'test' };
}

/** The server to test against: the env var wins; otherwise one container per worker process. */
export async function testServer(): Promise<DbConnectionConfig> {
  const url = testEnv('SEM_TEST_MARIADB_URL');
  if (url) {
    const { database: _ignored, ...server } = parseMysqlUrl(url);
    return server;
  }
  containerServer ??= localServer().then((local) => local ?? startContainer());
  return containerServer;
}

/** A developer machine's own MariaDB (root, empty password, 127.0.0.1:3306), when one answers. */
async function localServer(): Promise<DbConnectionConfig | undefined> {
  const local: DbConnectionConfig = { host: '127.0.0.1', port: 3306, user: 'root', password: '' };
  try {
    const conn = await createConnection({ ...local, connectTimeout: 2000 });
    await conn.end();
    return local;
  } catch {
    return undefined;
  }
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
