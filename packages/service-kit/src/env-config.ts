import { z } from 'zod';
import { secretFromEnv, type Env } from '@sem/db';

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
