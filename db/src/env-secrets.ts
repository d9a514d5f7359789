import { readFileSync } from 'node:fs';

export type Env = Readonly<Record<string, string | undefined>>;

/** `NAME` or the contents of the file named by `NAME_FILE` (trailing newline dropped); both set is an error. */
export function secretFromEnv(env: Env, name: string): string | undefined {
  const direct = env[name];
  const file = env[`${name}_FILE`];
  if (direct !== undefined && direct !== '' && file) throw new Error(`${name} and ${name}_FILE are both set; use one`);
  if (file) {
    try {
      return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
    } catch (err) {
      throw new Error(`${name}_FILE: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  return direct;
}
