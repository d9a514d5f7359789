/**
 * A stop while the database is still unreachable (a fresh pod before migrate has granted the tables,
 * or deploy/restore.sh stopping the API) ends the process at once and cleanly, instead of waiting for
 * podman's SIGKILL: the shutdown handler is in place before the wait for the database.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** A TCP port nothing listens on (bound once by the OS, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('ingest-api server: SIGTERM while waiting for the database', () => {
  it('shuts down with exit code 0 within a second, not by the signal', async () => {
    const child = spawn(process.execPath, [join(import.meta.dirname, '../src/server.ts')], {
      env: {
        PATH: process.env.PATH,
        SEM_DB_HOST: '127.0.0.1',
        SEM_DB_PORT: String(await closedPort()),
        SEM_DB_PASSWORD: 'not-used-nothing-listens',
        SEM_ADMIN_TOKEN: 'stop-while-waiting-admin-token-0123456789',
        SEM_HTTP_HOST: '127.0.0.1',
        SEM_HTTP_PORT: '0',
        SEM_OPS_PORT: '0',
        SEM_DB_CONNECT_RETRIES: '1000',
      },
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (out += d));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('exit', (code, signal) => resolve({ code, signal })),
    );
    const deadline = Date.now() + 20_000;
    while (!out.includes('database not ready, retrying') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(out).toContain('database not ready, retrying');
    const stoppedAt = Date.now();
    child.kill('SIGTERM');
    const { code, signal } = await exited;
    expect({ code, signal }, out).toEqual({ code: 0, signal: null });
    expect(Date.now() - stoppedAt).toBeLessThan(1000);
    expect(out).toContain('"msg":"shutting down"');
  });
});
