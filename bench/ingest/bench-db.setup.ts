import { randomBytes } from 'node:crypto';
import { createConnection, type Connection } from 'mysql2/promise';
import { API_TABLES, bootstrapDatabase, createKysely, type DbConnectionConfig } from '@sem/db';
import { createDevice } from '@sem/ingest-api';
import type { BenchDevice } from './payloads.factory.ts';

/**
 * The benchmark's own database and accounts: nothing else on the shared server is touched. SEM_BENCH_DB_NAME gives
 * another name, so two benches on one server do not drop each other's database and users.
 */
export const BENCH_DB = benchDbName(process.env.SEM_BENCH_DB_NAME ?? 'sem_bench_ingest');
const USERS = { owner: `${BENCH_DB}_owner`, api: `${BENCH_DB}_api`, readonly: `${BENCH_DB}_ro` };

function benchDbName(name: string): string {
  if (!/^[a-z][a-z0-9_]{0,40}$/.test(name)) throw new Error(`SEM_BENCH_DB_NAME must be a lower-case identifier of at most 41 characters, not ${JSON.stringify(name)}`);
  return name;
}

export interface BenchDatabase {
  admin: DbConnectionConfig;
  /** The API's account (DML only), as the service runs in production. */
  api: DbConnectionConfig;
  /** Root on the bench database, for the ceiling, counters and storage phases. */
  root: DbConnectionConfig;
  /** Tables the migrations created that bootstrap did not grant to the API user (granted here, reported). */
  ungranted: string[];
}

/** Root over the local socket (the environment's default admin), or SEM_BENCH_ADMIN_URL-like overrides. */
export function adminConnection(socketPath: string, port = 3306): DbConnectionConfig {
  return { host: '127.0.0.1', port, user: 'root', password: '', socketPath };
}

/** Drops and recreates the bench database through the project's bootstrap (users, migrations, grants). */
export async function freshBenchDatabase(admin: DbConnectionConfig): Promise<BenchDatabase> {
  const conn = await createConnection({ ...admin, database: undefined });
  try {
    await conn.query(`DROP DATABASE IF EXISTS ${BENCH_DB}`);
  } finally {
    await conn.end();
  }
  const pw = () => randomBytes(18).toString('base64url');
  const api = { user: USERS.api, password: pw() };
  // Grants use '%': the API connects over TCP to 127.0.0.1 like the pod does.
  await bootstrapDatabase(admin, {
    database: BENCH_DB,
    owner: { user: USERS.owner, password: pw() },
    api,
    readonly: { user: USERS.readonly, password: pw() },
  });
  // A table the write path uses but the bootstrap grants miss would make every ingest answer 500.
  const conn2 = await createConnection({ ...admin, database: BENCH_DB });
  const ungranted: string[] = [];
  try {
    const [tables] = await conn2.query("SELECT table_name AS t FROM information_schema.TABLES WHERE table_schema = ? AND table_name NOT LIKE 'kysely%'", [BENCH_DB]);
    for (const { t } of tables as { t: string }[]) {
      if ((API_TABLES as readonly string[]).includes(t)) continue;
      ungranted.push(t);
      await conn2.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${BENCH_DB}.\`${t}\` TO ?@'%'`, [api.user]);
    }
  } finally {
    await conn2.end();
  }
  return {
    ungranted,
    admin,
    api: { host: '127.0.0.1', port: admin.port, user: api.user, password: api.password, database: BENCH_DB },
    root: { ...admin, database: BENCH_DB },
  };
}

/** Creates devices through the service the CLI and admin API use; returns their ids and keys. */
export async function createBenchDevices(
  db: BenchDatabase,
  prefix: string,
  count: number,
  keyFormat: 'token' | 'legacy',
): Promise<BenchDevice[]> {
  const k = createKysely({ ...db.root, connectionLimit: 4 });
  try {
    const out: BenchDevice[] = new Array(count);
    let next = 0;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (next < count) {
          const i = next++;
          const r = await createDevice(k, { name: `${prefix}-${i}`, keyFormat, country: 'BE', timeZone: 'Europe/Brussels' });
          out[i] = { id: r.device.id, key: r.key.key };
        }
      }),
    );
    return out;
  } finally {
    await k.destroy();
  }
}

export async function rootConnection(db: BenchDatabase): Promise<Connection> {
  const conn = await createConnection({ ...db.root, timezone: 'Z', multipleStatements: false });
  await conn.query("SET time_zone = '+00:00'");
  return conn;
}
