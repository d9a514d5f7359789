import type { DbConnectionConfig } from '../connection.ts';
import { TEST_RUN_ENV } from './provided-context.ts';

/** What a process a test starts inherits from the run even when the test gives it its own environment. */
const RUN_ENV_NAMES = ['PATH', 'TMPDIR', TEST_RUN_ENV, 'NODE_COMPILE_CACHE'] as const;

/**
 * The run's variables for a child process: PATH, the run's temp folder and marker (so the end-of-run
 * check sees a process left running) and the run's Node compile cache (test/setup/global-setup.ts).
 */
export function childRunEnv(): Record<string, string> {
  return Object.fromEntries(RUN_ENV_NAMES.flatMap((n) => (process.env[n] === undefined ? [] : [[n, process.env[n]!]])));
}

/** The SEM_DB_* variables that point a child process (a server or CLI) at a test database. */
export function dbConnectionEnv(c: DbConnectionConfig): Record<string, string> {
  return {
    SEM_DB_HOST: c.host,
    SEM_DB_PORT: String(c.port),
    ...(c.socketPath ? { SEM_DB_SOCKET: c.socketPath } : {}),
    SEM_DB_NAME: c.database!,
    SEM_DB_USER: c.user,
    SEM_DB_PASSWORD: c.password,
  };
}
