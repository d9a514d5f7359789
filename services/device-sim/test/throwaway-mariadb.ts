import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createConnection } from 'mysql2/promise';
import { freePort } from './api-process.ts';

const MARIADBD = '/usr/sbin/mariadbd';

/** Why this machine cannot run a throwaway server (no MariaDB binaries on the host), or undefined. */
export function throwawayMariadbUnavailable(): string | undefined {
  const installDb = ['/usr/bin', '/usr/local/bin', ...(process.env['PATH'] ?? '').split(':')].some((d) => d && existsSync(join(d, 'mariadb-install-db')));
  if (existsSync(MARIADBD) && installDb) return undefined;
  return `needs ${MARIADBD} and mariadb-install-db on this machine (a private server the test can freeze and kill; never the run's shared one)`;
}

/**
 * A private mariadbd for tests that stop, freeze or kill the database: the shared server is used by
 * everyone else and must never be touched. Data lives in a temp dir, so a restart keeps the rows.
 */
export class ThrowawayMariadb {
  readonly dir: string;
  readonly port: number;
  private child: ChildProcess | undefined;

  private constructor(dir: string, port: number) {
    this.dir = dir;
    this.port = port;
  }

  static async create(): Promise<ThrowawayMariadb> {
    const dir = mkdtempSync(join(tmpdir(), 'sim-mariadb-'));
    const db = new ThrowawayMariadb(dir, await freePort());
    try {
      await promisify(execFile)('mariadb-install-db', [
        '--no-defaults',
        `--datadir=${join(dir, 'data')}`, '--auth-root-authentication-method=normal', '--skip-test-db', '--user=root',
      ]);
      await db.start();
    } catch (error) {
      await db.destroy();
      throw error;
    }
    return db;
  }

  get pid(): number {
    return this.child!.pid!;
  }

  async start(): Promise<void> {
    const args = [
      '--no-defaults', `--datadir=${join(this.dir, 'data')}`, `--socket=${join(this.dir, 's.sock')}`, `--port=${this.port}`,
      '--bind-address=127.0.0.1', `--pid-file=${join(this.dir, 'mariadbd.pid')}`, '--skip-log-bin', '--innodb-buffer-pool-size=32M',
      '--innodb-log-file-size=16M', '--skip-name-resolve',
      ...(process.getuid?.() === 0 ? ['--user=root'] : []),
    ];
    this.child = spawn(MARIADBD, args, { stdio: 'ignore' });
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        const c = await createConnection({ host: '127.0.0.1', port: this.port, user: 'root', password: '' });
        await c.end();
        return;
      } catch (error) {
        if (this.child.exitCode !== null || Date.now() > deadline) throw error;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }

  freeze(): void {
    this.child!.kill('SIGSTOP');
  }

  thaw(): void {
    this.child!.kill('SIGCONT');
  }

  async kill(): Promise<void> {
    const c = this.child!;
    if (c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await exited;
  }

  async destroy(): Promise<void> {
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) {
      this.thaw();
      await this.kill();
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
