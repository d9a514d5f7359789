import { spawn } from 'node:child_process';
import { freePort } from './free-port.ts';

export interface StopOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** From SIGTERM to the process's exit. */
  stopMs: number;
  /** stdout and stderr together. */
  output: string;
}

/**
 * Starts a server entry point against a database port nothing listens on, waits until it logs that it is
 * retrying the database, sends SIGTERM and reports how it ended. `env` adds the service's own variables.
 */
export async function stopWhileWaitingForDatabase(serverPath: string, env: Record<string, string>): Promise<StopOutcome> {
  const child = spawn(process.execPath, [serverPath], {
    env: { PATH: process.env.PATH, SEM_DB_HOST: '127.0.0.1', SEM_DB_PORT: String(await freePort()), SEM_DB_CONNECT_RETRIES: '1000', ...env },
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d));
  child.stderr.on('data', (d: Buffer) => (output += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const deadline = Date.now() + 20_000;
  while (!output.includes('database not ready, retrying') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  if (!output.includes('database not ready, retrying')) {
    child.kill('SIGKILL');
    await exited;
    throw new Error(`the server never waited for the database:\n${output}`);
  }
  const stoppedAt = Date.now();
  child.kill('SIGTERM');
  const { code, signal } = await exited;
  return { code, signal, stopMs: Date.now() - stoppedAt, output };
}
