/**
 * SEM_API_PROCESSES=2: the real server.ts as a cluster of two API processes on one port (SO_REUSEPORT). Both
 * answer; the same readings sent three times at once on fresh connections (landing on either process) are
 * stored exactly once; a SIGKILLed process is replaced; SIGTERM stops them all.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { resolve } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testDbPrefix, type TestDatabase, dbConnectionEnv } from '@sem/db/testing';
import { freePort } from '@sem/service-kit/testing';
import { createDevice } from '../src/devices/devices.service.ts';

const SERVER = resolve(import.meta.dirname, '../src/server.ts');

/** One POST on a connection of its own (no keep-alive agent), so the kernel picks a process for each. */
function post(port: number, key: string, body: unknown): Promise<{ status: number; json: any }> {
  const data = JSON.stringify(body);
  return new Promise((ok, fail) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/api/v1/readings', method: 'POST', agent: false, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (text += c));
        res.on('end', () => ok({ status: res.statusCode!, json: JSON.parse(text) }));
      },
    );
    req.on('error', fail);
    req.end(data);
  });
}

async function until(what: string, probe: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('SEM_API_PROCESSES=2', () => {
  let t: TestDatabase;
  let child: ChildProcess | undefined;
  const lines: Record<string, unknown>[] = [];

  beforeAll(async () => {
    t = await createTestDatabase(testDbPrefix('api_procs'), { fresh: true });
  }, 120_000);
  afterAll(async () => {
    child?.kill('SIGKILL');
    for (const l of lines) if (typeof l['pid'] === 'number' && l['pid'] !== child?.pid && alive(l['pid'])) process.kill(l['pid'], 'SIGKILL');
    await t?.destroy();
  });

  it('answers from both processes, stores concurrent copies once, replaces a killed process and stops on SIGTERM', async () => {
    const devices = await Promise.all(Array.from({ length: 8 }, (_, i) => createDevice(t.db, { name: `procs-${i}`, country: 'BE', timeZone: 'Europe/Brussels' })));
    const port = await freePort();
    const c = t.connection;
    child = spawn(process.execPath, [SERVER], {
      env: {
        PATH: process.env['PATH'] ?? '',
        SEM_API_PROCESSES: '2',
        SEM_HTTP_HOST: '127.0.0.1',
        SEM_HTTP_PORT: String(port),
        ...dbConnectionEnv(c),
        SEM_LOG_LEVEL: 'info',
        SEM_RATE_LIMIT_PER_MINUTE: '100000',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let rest = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      const parts = (rest + chunk.toString('utf8')).split('\n');
      rest = parts.pop()!;
      for (const p of parts) if (p.startsWith('{')) lines.push(JSON.parse(p) as Record<string, unknown>);
    });
    const exited = new Promise<number | null>((ok) => child!.once('exit', (code) => ok(code)));
    await until('both processes listening', () => lines.some((l) => l['msg'] === 'API processes listening'), 90_000);
    const servingPids = () => new Set(lines.filter((l) => l['msg'] === 'request completed' && l['pid'] !== child!.pid).map((l) => l['pid'] as number));

    // 8 devices × 15 readings, each sent three times at once on fresh connections.
    const t0 = Math.floor(Date.now() / 1000) * 1000 - 3_600_000;
    const stored = new Map<string, number>();
    for (let s = 0; s < 15; s++) {
      const answers = await Promise.all(
        devices.flatMap((d, i) =>
          [0, 1, 2].map(async () => {
            const time = new Date(t0 + s * 1000).toISOString();
            const r = await post(port, d.key.key, { time, energyImportT1Kwh: 1000 + s * 0.001 + i, powerImportW: 100 + s });
            expect(r.status, JSON.stringify(r.json)).toBe(201);
            const status = r.json.results[0].status as string;
            expect(['stored', 'duplicate']).toContain(status);
            if (status === 'stored') stored.set(`${d.device.id}|${time}`, (stored.get(`${d.device.id}|${time}`) ?? 0) + 1);
          }),
        ),
      );
      expect(answers).toHaveLength(24);
    }
    expect(stored.size).toBe(8 * 15);
    expect([...stored.values()].every((n) => n === 1)).toBe(true);
    const rows = await sql<{ n: number; d: number }>`SELECT COUNT(*) AS n, COUNT(DISTINCT device_id) AS d FROM reading`.execute(t.db);
    expect(Number(rows.rows[0]!.n)).toBe(8 * 15);
    expect(Number(rows.rows[0]!.d)).toBe(8);
    const pids = servingPids();
    expect(pids.size).toBe(2);

    // A process killed outright is replaced; the port keeps answering meanwhile.
    const [victim] = [...pids];
    process.kill(victim!, 'SIGKILL');
    await until('the replacement process', async () => {
      await post(port, devices[0]!.key.key, { time: new Date(t0 + 20_000).toISOString(), powerImportW: 1 }).catch(() => undefined);
      return [...servingPids()].some((p) => !pids.has(p));
    }, 90_000);
    expect(lines.some((l) => l['msg'] === 'API process exited; restarting it')).toBe(true);

    // SIGTERM to the primary stops every process, which drains and exits 0.
    const workers = [...servingPids()].filter(alive);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(workers.filter(alive)).toEqual([]);
  }, 240_000);
});
