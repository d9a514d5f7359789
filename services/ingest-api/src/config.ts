import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { secretFromEnv, type DbConnectionConfig, type Env } from '@sem/db';

/** Everything the service needs, parsed once at boot from the environment and frozen. */
export interface AppConfig {
  /** Plain HTTP (for readers that cannot do TLS); `enabled: false` switches it off. */
  readonly http: { readonly host: string; readonly port: number; readonly trustProxy: boolean; readonly enabled: boolean };
  /** HTTPS on its own port, when a certificate and key are given (PEM text). */
  readonly https: { readonly port: number; readonly cert: string; readonly key: string } | undefined;
  /** Internal port: every route, and /metrics and /docs/json without the admin token. */
  readonly opsPort: number | undefined;
  readonly db: DbConnectionConfig;
  readonly dbConnect: { readonly retries: number; readonly maxDelayMs: number };
  readonly migrateOnStart: boolean;
  /** undefined disables the admin API (every admin route answers 401). */
  readonly adminToken: string | undefined;
  readonly bodyLimitBytes: number;
  readonly maxReadingsPerRequest: number;
  readonly rateLimitPerMinute: number;
  /** How long a found device key is trusted without asking the database (0 = never). */
  readonly deviceCacheTtlMs: number;
  readonly writeQueue: { readonly maxRows: number; readonly maxBatchRows: number; readonly lingerMs: number; readonly maxWaitMs: number; readonly concurrency: number };
  /** How often rollups held in memory are written (0: in each write transaction). */
  readonly rollupFlushMs: number;
  /** Raw readings older than this many days are purged; rollups stay. */
  readonly rawRetentionDays: number;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

export class ConfigError extends Error {}

const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const schema = z.object({
  SEM_HTTP_HOST: z.string().min(1).default('0.0.0.0'),
  SEM_HTTP_PORT: int(0, 65535).default(8080),
  SEM_TRUST_PROXY: bool.default(false),
  SEM_HTTP_ENABLED: bool.default(true),
  SEM_HTTPS_PORT: int(0, 65535).default(8443),
  SEM_TLS_CERT_FILE: z.string().min(1).optional(),
  SEM_TLS_KEY_FILE: z.string().min(1).optional(),
  SEM_OPS_PORT: int(0, 65535).optional(),
  SEM_DB_HOST: z.string().min(1).default('127.0.0.1'),
  SEM_DB_PORT: int(1, 65535).default(3306),
  SEM_DB_SOCKET: z.string().min(1).optional(),
  SEM_DB_NAME: z.string().regex(/^[A-Za-z0-9_]+$/, 'letters, digits and _ only').default('sem'),
  SEM_DB_USER: z.string().min(1).default('sem_api'),
  SEM_DB_POOL_SIZE: int(1, 200).default(10),
  SEM_DB_CONNECT_TIMEOUT_MS: int(100, 120_000).default(5000),
  SEM_DB_CONNECT_RETRIES: int(0, 1000).default(30),
  SEM_DB_CONNECT_MAX_DELAY_MS: int(10, 60_000).default(5000),
  SEM_MIGRATE_ON_START: bool.default(false),
  SEM_BODY_LIMIT_BYTES: int(1024, 64 * 1024 * 1024).default(1024 * 1024),
  SEM_MAX_READINGS_PER_REQUEST: int(1, 100_000).default(3600),
  SEM_RATE_LIMIT_PER_MINUTE: int(1, 1_000_000).default(600),
  SEM_DEVICE_CACHE_TTL_MS: int(0, 300_000).default(15_000),
  SEM_WRITE_QUEUE_MAX: int(1, 10_000_000).default(20_000),
  SEM_WRITE_BATCH_MAX: int(1, 100_000).default(2000),
  SEM_WRITE_LINGER_MS: int(0, 1000).default(2),
  SEM_WRITE_QUEUE_MAX_WAIT_MS: int(1, 600_000).default(2000),
  SEM_WRITE_CONCURRENCY: int(1, 8).default(2),
  SEM_ROLLUP_FLUSH_MS: int(0, 60_000).default(2000),
  SEM_RAW_RETENTION_DAYS: int(1, 36500).default(90),
  SEM_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

function deepFreeze<T extends object>(o: T): Readonly<T> {
  for (const v of Object.values(o)) if (v && typeof v === 'object' && !Object.isFrozen(v)) deepFreeze(v);
  return Object.freeze(o);
}

/** A PEM file read at start, so a wrong path fails there and names its variable. */
function pemFile(name: string, path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`invalid environment variable ${name}: cannot read ${path} (${(err as NodeJS.ErrnoException).code})`);
  }
  if (!text.includes('-----BEGIN ')) throw new ConfigError(`invalid environment variable ${name}: ${path} is not PEM`);
  return text;
}

/** Parses the environment; throws ConfigError naming the first bad variable. */
export function loadConfig(env: Env): AppConfig {
  const blanked = Object.fromEntries(Object.entries(env).filter(([k, v]) => k.startsWith('SEM_') && v !== ''));
  const r = schema.safeParse(blanked);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const name = String(issue.path[0]);
    throw new ConfigError(`invalid environment variable ${name}=${JSON.stringify(env[name])}: ${issue.message}`);
  }
  const e = r.data;
  let password: string | undefined;
  let adminToken: string | undefined;
  try {
    password = secretFromEnv(env, 'SEM_DB_PASSWORD');
    adminToken = secretFromEnv(env, 'SEM_ADMIN_TOKEN');
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
  if (adminToken !== undefined && adminToken !== '' && adminToken.length < 24) {
    throw new ConfigError('invalid environment variable SEM_ADMIN_TOKEN: must be at least 24 characters');
  }
  if (Boolean(e.SEM_TLS_CERT_FILE) !== Boolean(e.SEM_TLS_KEY_FILE)) {
    throw new ConfigError(`invalid environment variable ${e.SEM_TLS_CERT_FILE ? 'SEM_TLS_KEY_FILE' : 'SEM_TLS_CERT_FILE'}: SEM_TLS_CERT_FILE and SEM_TLS_KEY_FILE go together`);
  }
  const https = e.SEM_TLS_CERT_FILE && e.SEM_TLS_KEY_FILE
    ? { port: e.SEM_HTTPS_PORT, cert: pemFile('SEM_TLS_CERT_FILE', e.SEM_TLS_CERT_FILE), key: pemFile('SEM_TLS_KEY_FILE', e.SEM_TLS_KEY_FILE) }
    : undefined;
  if (!e.SEM_HTTP_ENABLED && !https) throw new ConfigError('invalid environment variable SEM_HTTP_ENABLED: plain HTTP is off and no SEM_TLS_CERT_FILE is set, so nothing would listen');
  return deepFreeze({
    http: { host: e.SEM_HTTP_HOST, port: e.SEM_HTTP_PORT, trustProxy: e.SEM_TRUST_PROXY, enabled: e.SEM_HTTP_ENABLED },
    https,
    opsPort: e.SEM_OPS_PORT,
    db: {
      host: e.SEM_DB_HOST,
      port: e.SEM_DB_PORT,
      socketPath: e.SEM_DB_SOCKET,
      database: e.SEM_DB_NAME,
      user: e.SEM_DB_USER,
      password: password ?? '',
      connectionLimit: e.SEM_DB_POOL_SIZE,
      connectTimeoutMs: e.SEM_DB_CONNECT_TIMEOUT_MS,
    },
    dbConnect: { retries: e.SEM_DB_CONNECT_RETRIES, maxDelayMs: e.SEM_DB_CONNECT_MAX_DELAY_MS },
    migrateOnStart: e.SEM_MIGRATE_ON_START,
    adminToken: adminToken || undefined,
    bodyLimitBytes: e.SEM_BODY_LIMIT_BYTES,
    maxReadingsPerRequest: e.SEM_MAX_READINGS_PER_REQUEST,
    rateLimitPerMinute: e.SEM_RATE_LIMIT_PER_MINUTE,
    deviceCacheTtlMs: e.SEM_DEVICE_CACHE_TTL_MS,
    writeQueue: { maxRows: e.SEM_WRITE_QUEUE_MAX, maxBatchRows: e.SEM_WRITE_BATCH_MAX, lingerMs: e.SEM_WRITE_LINGER_MS, maxWaitMs: e.SEM_WRITE_QUEUE_MAX_WAIT_MS, concurrency: e.SEM_WRITE_CONCURRENCY },
    rollupFlushMs: e.SEM_ROLLUP_FLUSH_MS,
    rawRetentionDays: e.SEM_RAW_RETENTION_DAYS,
    logLevel: e.SEM_LOG_LEVEL,
  });
}

/** For entry points (server, CLI): the config, or the bad variable on stderr and exit code 2. */
export function loadConfigOrExit(env: Env): AppConfig {
  try {
    return loadConfig(env);
  } catch (err) {
    console.error(err instanceof ConfigError ? err.message : err);
    process.exit(2);
  }
}
