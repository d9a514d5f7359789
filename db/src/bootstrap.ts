import { createConnection, type Connection } from 'mysql2/promise';
import { Kysely, MysqlDialect } from 'kysely';
import { createMysqlPool, type DbConnectionConfig } from './connection.ts';
import { applyTableGrants, quoteIdent, READONLY_USER_LIMITS } from './grants.ts';
import { migrateToLatest } from './migrate.ts';

export interface DbUser {
  user: string;
  password: string;
}

export interface BootstrapOptions {
  database: string;
  owner: DbUser;
  api: DbUser;
  readonly: DbUser;
  /** Host part of the accounts; '%' by default (the pod connects over 127.0.0.1). */
  host?: string;
}

async function ensureUser(conn: Connection, u: DbUser, host: string): Promise<void> {
  if (!u.password) throw new Error(`no password given for database user ${u.user}`);
  await conn.query('CREATE USER IF NOT EXISTS ?@? IDENTIFIED BY ?', [u.user, host, u.password]);
  // Re-running bootstrap with a new password rotates it.
  await conn.query('ALTER USER ?@? IDENTIFIED BY ?', [u.user, host, u.password]);
}

/**
 * Run as the database admin: creates the database and the three users, migrates, then grants per table.
 * Idempotent; no password is stored anywhere but in the server.
 */
export async function bootstrapDatabase(admin: DbConnectionConfig, opts: BootstrapOptions): Promise<void> {
  const host = opts.host ?? '%';
  const conn = await createConnection({
    host: admin.host,
    port: admin.port,
    user: admin.user,
    password: admin.password,
    socketPath: admin.socketPath,
    multipleStatements: false,
  });
  try {
    const db = quoteIdent(opts.database);
    await conn.query(`CREATE DATABASE IF NOT EXISTS ${db} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
    await ensureUser(conn, opts.owner, host);
    await ensureUser(conn, opts.api, host);
    await ensureUser(conn, opts.readonly, host);
    const { maxUserConnections, maxStatementTimeS } = READONLY_USER_LIMITS;
    await conn.query(`ALTER USER ?@? WITH MAX_USER_CONNECTIONS ${maxUserConnections} MAX_STATEMENT_TIME ${maxStatementTimeS}`, [opts.readonly.user, host]);
    // The owner may grant on its database so `npm run migrate` can refresh table grants after new migrations.
    await conn.query(`GRANT ALL PRIVILEGES ON ${db}.* TO ?@? WITH GRANT OPTION`, [opts.owner.user, host]);
    const kysely = new Kysely<any>({ dialect: new MysqlDialect({ pool: createMysqlPool({ ...admin, database: opts.database }) }) });
    try {
      await migrateToLatest(kysely);
    } finally {
      await kysely.destroy();
    }
    await applyTableGrants(conn, { database: opts.database, apiUser: opts.api.user, readonlyUser: opts.readonly.user, host });
  } finally {
    await conn.end();
  }
}
