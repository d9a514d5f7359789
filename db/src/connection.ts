import { Kysely, MysqlDialect } from 'kysely';
import { createPool, format, type Pool, type PoolOptions } from 'mysql2';
import type { Database } from './database.types.ts';

/** Where and as whom to connect. Built by each app's config module; nothing here reads the environment. */
export interface DbConnectionConfig {
  host: string;
  port: number;
  user: string;
  password: string;
  database?: string | undefined;
  /** Unix socket; when set, host/port are ignored. */
  socketPath?: string | undefined;
  connectionLimit?: number | undefined;
  connectTimeoutMs?: number | undefined;
}

/** A mysql2 pool speaking UTC both ways: Date <-> DATETIME without any local-zone shift. */
export function createMysqlPool(config: DbConnectionConfig): Pool {
  const options: PoolOptions = {
    user: config.user,
    password: config.password,
    database: config.database,
    connectionLimit: config.connectionLimit ?? 10,
    connectTimeout: config.connectTimeoutMs ?? 5000,
    timezone: 'Z',
    dateStrings: false,
    supportBigNumbers: true,
    decimalNumbers: false,
    charset: 'utf8mb4_bin',
    enableKeepAlive: true,
    // The driver's own formatting, except that text without values is sent as it is: the write path sends
    // multi-row statements of literals (hundreds of kB), which mysql2 would otherwise scan for `?` in vain.
    queryFormat: (sql: string, values: unknown) => (Array.isArray(values) && values.length === 0 ? sql : format(sql, values as never, false, 'Z')),
  };
  if (config.socketPath) options.socketPath = config.socketPath;
  else {
    options.host = config.host;
    options.port = config.port;
  }
  const pool = createPool(options);
  // Session zone UTC so NOW(), FROM_UNIXTIME() and UNIX_TIMESTAMP() agree with the stored UTC values.
  pool.on('connection', (conn) => {
    conn.query("SET time_zone = '+00:00'");
  });
  return pool;
}

export function createKysely(config: DbConnectionConfig): Kysely<Database> {
  return new Kysely<Database>({ dialect: new MysqlDialect({ pool: createMysqlPool(config) }) });
}

/** Parses `mysql://user:password@host:port/database` (database optional) into a connection config. */
export function parseMysqlUrl(url: string): DbConnectionConfig {
  const u = new URL(url);
  if (u.protocol !== 'mysql:' && u.protocol !== 'mariadb:') throw new Error(`not a mysql:// url: ${u.protocol}`);
  const database = decodeURIComponent(u.pathname.replace(/^\//, ''));
  const socketPath = u.searchParams.get('socket') ?? undefined;
  return {
    host: u.hostname || '127.0.0.1',
    port: u.port ? Number(u.port) : 3306,
    user: decodeURIComponent(u.username || 'root'),
    password: decodeURIComponent(u.password),
    database: database || undefined,
    socketPath,
  };
}
