import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { Env } from '@sem/db';
import { loadIngestConfig, type IngestConfig } from '@sem/ingest';
import { ConfigError, deepFreeze, envBool, envInt, envSecret, parseEnv } from '@sem/service-kit';

export { ConfigError } from '@sem/service-kit';

/** Everything the service needs, parsed once at boot from the environment and frozen: the engine's settings and the HTTP ones. */
export interface AppConfig extends IngestConfig {
  /** Plain HTTP (for readers that cannot do TLS); `enabled: false` switches it off. */
  readonly http: { readonly host: string; readonly port: number; readonly trustProxy: boolean; readonly enabled: boolean };
  /** HTTPS on its own port, when a certificate and key are given (PEM text). */
  readonly https: { readonly port: number; readonly cert: string; readonly key: string } | undefined;
  /** Internal port: every route, and /metrics and /docs/json without the admin token. */
  readonly opsPort: number | undefined;
  readonly migrateOnStart: boolean;
  /** undefined disables the admin API (every admin route answers 401). */
  readonly adminToken: string | undefined;
  readonly bodyLimitBytes: number;
  readonly rateLimitPerMinute: number;
  /** Failed authentications per client address and minute before it is answered 429 without a key look-up. */
  readonly authFailuresPerMinute: number;
  /** API processes on this host (node:cluster, each listening with SO_REUSEPORT); 1 = this process serves alone. */
  readonly apiProcesses: number;
}

const schema = z.object({
  SEM_HTTP_HOST: z.string().min(1).default('0.0.0.0'),
  SEM_HTTP_PORT: envInt(0, 65535).default(8080),
  SEM_TRUST_PROXY: envBool.default(false),
  SEM_HTTP_ENABLED: envBool.default(true),
  SEM_HTTPS_PORT: envInt(0, 65535).default(8443),
  SEM_TLS_CERT_FILE: z.string().min(1).optional(),
  SEM_TLS_KEY_FILE: z.string().min(1).optional(),
  SEM_OPS_PORT: envInt(0, 65535).optional(),
  SEM_MIGRATE_ON_START: envBool.default(false),
  SEM_BODY_LIMIT_BYTES: envInt(1024, 64 * 1024 * 1024).default(1024 * 1024),
  SEM_RATE_LIMIT_PER_MINUTE: envInt(1, 1_000_000).default(600),
  SEM_AUTH_FAILURES_PER_MINUTE: envInt(1, 1_000_000).default(30),
  SEM_API_PROCESSES: envInt(1, 64).default(1),
});

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
  const engine = loadIngestConfig(env);
  const e = parseEnv(schema, env);
  const adminToken = envSecret(env, 'SEM_ADMIN_TOKEN');
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
    ...engine,
    http: { host: e.SEM_HTTP_HOST, port: e.SEM_HTTP_PORT, trustProxy: e.SEM_TRUST_PROXY, enabled: e.SEM_HTTP_ENABLED },
    https,
    opsPort: e.SEM_OPS_PORT,
    migrateOnStart: e.SEM_MIGRATE_ON_START,
    adminToken: adminToken || undefined,
    bodyLimitBytes: e.SEM_BODY_LIMIT_BYTES,
    rateLimitPerMinute: e.SEM_RATE_LIMIT_PER_MINUTE,
    authFailuresPerMinute: e.SEM_AUTH_FAILURES_PER_MINUTE,
    apiProcesses: e.SEM_API_PROCESSES,
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
