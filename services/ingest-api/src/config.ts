import { z } from 'zod';
import type { Env } from '@sem/db';
import { ConfigError, deepFreeze, envBool, envInt, envSecret, loadIngestConfig, parseEnv, type IngestConfig } from '@sem/ingest';

export { ConfigError } from '@sem/ingest';

/** Everything the service needs, parsed once at boot from the environment and frozen: the engine's settings and the HTTP ones. */
export interface AppConfig extends IngestConfig {
  readonly http: { readonly host: string; readonly port: number; readonly trustProxy: boolean };
  readonly migrateOnStart: boolean;
  /** undefined disables the admin API (every admin route answers 401). */
  readonly adminToken: string | undefined;
  readonly bodyLimitBytes: number;
  readonly rateLimitPerMinute: number;
  /** Failed authentications per client address and minute before it is answered 429 without a key look-up. */
  readonly authFailuresPerMinute: number;
}

const schema = z.object({
  SEM_HTTP_HOST: z.string().min(1).default('0.0.0.0'),
  SEM_HTTP_PORT: envInt(0, 65535).default(8080),
  SEM_TRUST_PROXY: envBool.default(false),
  SEM_MIGRATE_ON_START: envBool.default(false),
  SEM_BODY_LIMIT_BYTES: envInt(1024, 64 * 1024 * 1024).default(1024 * 1024),
  SEM_RATE_LIMIT_PER_MINUTE: envInt(1, 1_000_000).default(600),
  SEM_AUTH_FAILURES_PER_MINUTE: envInt(1, 1_000_000).default(30),
});

/** Parses the environment; throws ConfigError naming the first bad variable. */
export function loadConfig(env: Env): AppConfig {
  const engine = loadIngestConfig(env);
  const e = parseEnv(schema, env);
  const adminToken = envSecret(env, 'SEM_ADMIN_TOKEN');
  if (adminToken !== undefined && adminToken !== '' && adminToken.length < 24) {
    throw new ConfigError('invalid environment variable SEM_ADMIN_TOKEN: must be at least 24 characters');
  }
  return deepFreeze({
    ...engine,
    http: { host: e.SEM_HTTP_HOST, port: e.SEM_HTTP_PORT, trustProxy: e.SEM_TRUST_PROXY },
    migrateOnStart: e.SEM_MIGRATE_ON_START,
    adminToken: adminToken || undefined,
    bodyLimitBytes: e.SEM_BODY_LIMIT_BYTES,
    rateLimitPerMinute: e.SEM_RATE_LIMIT_PER_MINUTE,
    authFailuresPerMinute: e.SEM_AUTH_FAILURES_PER_MINUTE,
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
