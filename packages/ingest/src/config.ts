import { z } from 'zod';
import { secretFromEnv, type DbConnectionConfig, type Env } from '@sem/db';

/** A bad environment variable: the message names it. Entry points print it and exit with code 2. */
export class ConfigError extends Error {}

export const envBool = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');
export const envInt = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/**
 * Parses the SEM_* variables of `env` with `schema` (an empty value counts as unset); throws ConfigError
 * naming the first bad variable.
 */
export function parseEnv<S extends z.ZodType>(schema: S, env: Env): z.output<S> {
  const present = Object.fromEntries(Object.entries(env).filter(([k, v]) => k.startsWith('SEM_') && v !== ''));
  const r = schema.safeParse(present);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const name = String(issue.path[0]);
  throw new ConfigError(`invalid environment variable ${name}=${JSON.stringify(env[name])}: ${issue.message}`);
}

/** A secret from NAME or NAME_FILE, as ConfigError when it cannot be read. */
export function envSecret(env: Env, name: string): string | undefined {
  try {
    return secretFromEnv(env, name);
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
}

export function deepFreeze<T extends object>(o: T): Readonly<T> {
  for (const v of Object.values(o)) if (v && typeof v === 'object' && !Object.isFrozen(v) && !Buffer.isBuffer(v)) deepFreeze(v);
  return Object.freeze(o);
}

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** What every writer process (ingest-api, mqtt-ingest) reads from the same variables. */
export interface IngestConfig {
  readonly db: DbConnectionConfig;
  readonly dbConnect: { readonly retries: number; readonly maxDelayMs: number };
  /** How long a found device key is trusted without asking the database (0 = never). */
  readonly deviceCacheTtlMs: number;
  /** Readings per request (HTTP) or message (MQTT) at most. */
  readonly maxReadingsPerRequest: number;
  readonly writeQueue: { readonly maxRows: number; readonly maxBatchRows: number; readonly lingerMs: number; readonly maxWaitMs: number; readonly admitMaxWaitMs: number; readonly concurrency: number };
  /** How often rollups held in memory are written (0: in each write transaction). */
  readonly rollupFlushMs: number;
  /** Raw readings older than this many days are purged; rollups stay. */
  readonly rawRetentionDays: number;
  readonly logLevel: LogLevel;
}

export const ingestEnvSchema = z.object({
  SEM_DB_HOST: z.string().min(1).default('127.0.0.1'),
  SEM_DB_PORT: envInt(1, 65535).default(3306),
  SEM_DB_SOCKET: z.string().min(1).optional(),
  SEM_DB_NAME: z.string().regex(/^[A-Za-z0-9_]+$/, 'letters, digits and _ only').default('sem'),
  SEM_DB_USER: z.string().min(1).default('sem_api'),
  SEM_DB_POOL_SIZE: envInt(1, 200).default(10),
  SEM_DB_CONNECT_TIMEOUT_MS: envInt(100, 120_000).default(5000),
  SEM_DB_CONNECT_RETRIES: envInt(0, 1000).default(30),
  SEM_DB_CONNECT_MAX_DELAY_MS: envInt(10, 60_000).default(5000),
  SEM_MAX_READINGS_PER_REQUEST: envInt(1, 100_000).default(3600),
  SEM_DEVICE_CACHE_TTL_MS: envInt(0, 300_000).default(15_000),
  SEM_WRITE_QUEUE_MAX: envInt(1, 10_000_000).default(20_000),
  SEM_WRITE_BATCH_MAX: envInt(1, 100_000).default(2000),
  SEM_WRITE_LINGER_MS: envInt(0, 1000).default(2),
  SEM_WRITE_QUEUE_MAX_WAIT_MS: envInt(1, 600_000).default(2000),
  SEM_WRITE_ADMIT_MAX_WAIT_MS: envInt(1, 600_000).default(1000),
  SEM_WRITE_CONCURRENCY: envInt(1, 8).default(2),
  SEM_ROLLUP_FLUSH_MS: envInt(0, 60_000).default(2000),
  SEM_RAW_RETENTION_DAYS: envInt(1, 36500).default(90),
  SEM_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

/** The engine's settings from the environment (SEM_DB_*, SEM_WRITE_*, SEM_ROLLUP_*, …); throws ConfigError. */
export function loadIngestConfig(env: Env): IngestConfig {
  const e = parseEnv(ingestEnvSchema, env);
  const password = envSecret(env, 'SEM_DB_PASSWORD');
  return deepFreeze({
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
    deviceCacheTtlMs: e.SEM_DEVICE_CACHE_TTL_MS,
    maxReadingsPerRequest: e.SEM_MAX_READINGS_PER_REQUEST,
    writeQueue: { maxRows: e.SEM_WRITE_QUEUE_MAX, maxBatchRows: e.SEM_WRITE_BATCH_MAX, lingerMs: e.SEM_WRITE_LINGER_MS, maxWaitMs: e.SEM_WRITE_QUEUE_MAX_WAIT_MS, admitMaxWaitMs: e.SEM_WRITE_ADMIT_MAX_WAIT_MS, concurrency: e.SEM_WRITE_CONCURRENCY },
    rollupFlushMs: e.SEM_ROLLUP_FLUSH_MS,
    rawRetentionDays: e.SEM_RAW_RETENTION_DAYS,
    logLevel: e.SEM_LOG_LEVEL,
  });
}
