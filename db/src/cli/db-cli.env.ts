import { z } from 'zod';
import type { DbConnectionConfig } from '../connection.ts';
import type { BootstrapOptions } from '../bootstrap.ts';
import { secretFromEnv, type Env } from '../env-secrets.ts';

// The db CLIs' own environment (the only process.env reads of this package).
const base = z.object({
  SEM_DB_HOST: z.string().default('127.0.0.1'),
  SEM_DB_PORT: z.coerce.number().int().min(1).max(65535).default(3306),
  SEM_DB_SOCKET: z.string().optional(),
  SEM_DB_NAME: z.string().regex(/^[A-Za-z0-9_]+$/).default('sem'),
  SEM_DB_OWNER_USER: z.string().default('sem_owner'),
  SEM_DB_API_USER: z.string().default('sem_api'),
  SEM_DB_READONLY_USER: z.string().default('sem_grafana'),
  SEM_DB_ADMIN_USER: z.string().default('root'),
});

function parse(env: Env) {
  const r = base.safeParse(env);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new Error(`invalid environment variable ${String(issue.path[0])}: ${issue.message}`);
  }
  return r.data;
}

function required(env: Env, name: string): string {
  const v = secretFromEnv(env, name);
  if (v === undefined) throw new Error(`${name} (or ${name}_FILE) must be set`);
  return v;
}

function fail(err: unknown): never {
  console.error(err instanceof Error ? err.message : err);
  process.exit(2);
}

type ServerAddress = Pick<DbConnectionConfig, 'host' | 'port' | 'socketPath'>;

/** Parses the environment and builds a CLI's settings from it; a bad or missing variable ends the process, named. */
function readEnv<T>(env: Env, build: (e: ReturnType<typeof parse>, server: ServerAddress) => T): T {
  try {
    const e = parse(env);
    return build(e, { host: e.SEM_DB_HOST, port: e.SEM_DB_PORT, socketPath: e.SEM_DB_SOCKET });
  } catch (err) {
    fail(err);
  }
}

export function readDbCliEnv(env: Env = process.env) {
  return readEnv(env, (e, server) => {
    const owner: DbConnectionConfig = {
      ...server,
      user: e.SEM_DB_OWNER_USER,
      password: required(env, 'SEM_DB_OWNER_PASSWORD'),
      database: e.SEM_DB_NAME,
    };
    return { owner, database: e.SEM_DB_NAME, grantTo: { apiUser: e.SEM_DB_API_USER, readonlyUser: e.SEM_DB_READONLY_USER } };
  });
}

export function readBootstrapEnv(env: Env = process.env): { admin: DbConnectionConfig; options: BootstrapOptions } {
  return readEnv(env, (e, server) => ({
    admin: { ...server, user: e.SEM_DB_ADMIN_USER, password: secretFromEnv(env, 'SEM_DB_ADMIN_PASSWORD') ?? '' },
    options: {
      database: e.SEM_DB_NAME,
      owner: { user: e.SEM_DB_OWNER_USER, password: required(env, 'SEM_DB_OWNER_PASSWORD') },
      api: { user: e.SEM_DB_API_USER, password: required(env, 'SEM_DB_API_PASSWORD') },
      readonly: { user: e.SEM_DB_READONLY_USER, password: required(env, 'SEM_DB_READONLY_PASSWORD') },
    },
  }));
}
