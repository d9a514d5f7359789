import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { DbConnectionConfig } from '@sem/db';
import { apiEnv } from './e2e-harness.ts';

/** The ingest API as its own process (server.ts), so a test can SIGKILL it like a crash. */
const SERVER = fileURLToPath(new URL('../../ingest-api/src/server.ts', import.meta.url));

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitForHealth(url: string, child: ChildProcess, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`ingest API exited with ${child.exitCode}`);
    try {
      const res = await fetch(new URL('/api/v1/device', url), { signal: AbortSignal.timeout(500) });
      // Any answer (401 without a key) means it listens.
      if (res.status > 0) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('ingest API did not start');
}

export interface ApiProcess {
  url: string;
  child: ChildProcess;
  stderr: () => string;
}

export async function spawnApi(db: DbConnectionConfig, port: number): Promise<ApiProcess> {
  const child = spawn(process.execPath, [SERVER], {
    env: { ...process.env, ...apiEnv(db, { SEM_HTTP_HOST: '127.0.0.1', SEM_HTTP_PORT: String(port), SEM_LOG_LEVEL: 'warn' }) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => {
    err = (err + d.toString()).slice(-4000);
  });
  const url = `http://127.0.0.1:${port}`;
  const started: ApiProcess = { url, child, stderr: () => err };
  try {
    await waitForHealth(url, child);
  } catch (error) {
    // An API that never answered is still running: never leave it behind.
    await killHard(started);
    throw error;
  }
  return started;
}

export async function killHard(p: ApiProcess): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  const exited = new Promise((r) => p.child.once('exit', r));
  p.child.kill('SIGKILL');
  await exited;
}
