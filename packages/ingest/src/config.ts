import { z } from 'zod';
import type { DbConnectionConfig, Env } from '@sem/db';
import { deepFreeze, envInt, envSecret, parseEnv } from '@sem/service-kit';
import { MAX_FUTURE_MS, parseIsoTime, type TimeWindow } from './time/meter-time.ts';
import type { IdempotencyWindows } from './write/request-once.ts';

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
  /** Journal rows this old have no live writer (it stopped): any process replays them. */
  readonly rollupOrphanAfterMs: number;
  /** A step between two readings longer than this is a gap: booked at the later reading, not spread (docs/dashboards.md). */
  readonly rollupGapHorizonMs: number;
  /** Raw readings older than this many days are purged; rollups stay. */
  readonly rawRetentionDays: number;
  /** The plausible window of meter times (docs/storage.md "Meter times"). */
  readonly timeWindow: TimeWindow;
  /** How long a request is recognised when sent again (docs/storage.md "Idempotency"). */
  readonly idempotency: IdempotencyWindows;
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
  SEM_ROLLUP_ORPHAN_AFTER_MS: envInt(500, 3_600_000).optional(),
  SEM_ROLLUP_GAP_HORIZON_H: envInt(1, 24 * 366).default(168),
  SEM_RAW_RETENTION_DAYS: envInt(1, 36500).default(90),
  SEM_TIME_FLOOR: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD')
    .refine((d) => !Number.isNaN(parseIsoTime(`${d}T00:00Z`).getTime()), 'not a calendar date')
    .default('2000-01-01'),
  SEM_TIME_MAX_AHEAD_S: envInt(0, 31 * 86_400).default(MAX_FUTURE_MS / 1000),
  SEM_IDEMPOTENCY_KEY_TTL_S: envInt(60, 30 * 86_400).default(86_400),
  SEM_IDEMPOTENCY_BODY_WINDOW_S: envInt(0, 3600).default(60),
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
    // A minute and 20 flushes by default: another process's held rows are flushed within flushMs.
    rollupOrphanAfterMs: e.SEM_ROLLUP_ORPHAN_AFTER_MS ?? Math.max(60_000, 20 * e.SEM_ROLLUP_FLUSH_MS),
    rollupGapHorizonMs: e.SEM_ROLLUP_GAP_HORIZON_H * 3_600_000,
    rawRetentionDays: e.SEM_RAW_RETENTION_DAYS,
    timeWindow: { floor: parseIsoTime(`${e.SEM_TIME_FLOOR}T00:00Z`), maxAheadMs: e.SEM_TIME_MAX_AHEAD_S * 1000 },
    idempotency: { keyTtlMs: e.SEM_IDEMPOTENCY_KEY_TTL_S * 1000, bodyWindowMs: e.SEM_IDEMPOTENCY_BODY_WINDOW_S * 1000 },
    logLevel: e.SEM_LOG_LEVEL,
  });
}
