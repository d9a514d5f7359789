import { createServer, type IncomingMessage, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DeviceRunner, type DeviceSettings } from '../src/fleet/device.runner.ts';
import { Outbox } from '../src/outbox/outbox.store.ts';
import type { OutboxItem } from '../src/post/post-format.ts';
import type { TimedUnit } from '../src/sources/meter-unit.ts';
import { RunStats } from '../src/stats/run-stats.ts';
import { loadCaptures } from '../src/sources/capture-files.ts';
import { p1Fixture } from './fixtures.ts';

/**
 * Server behaviour the real API only shows after a minute (a 429 with Retry-After) or never on
 * demand (a 503, a rejected reading), played by a small HTTP server that scripts its answers.
 */
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

type Answer = { status: number; headers?: Record<string, string>; body?: unknown };

async function scriptedServer(answers: Answer[]): Promise<{ url: string; hits: { at: number; body: string }[] }> {
  const hits: { at: number; body: string }[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      hits.push({ at: Date.now(), body });
      const a = answers[Math.min(hits.length - 1, answers.length - 1)]!;
      res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers });
      res.end(JSON.stringify(a.body ?? {}));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => server.close());
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, hits };
}

function settings(url: string, extra: Partial<DeviceSettings> = {}): DeviceSettings {
  return {
    name: 'd', baseUrl: url, format: 'telegram', auth: { key: 'k', dsmrHeader: 'x-authkey' }, decode: { zone: 'Europe/Brussels' },
    batchIntervalMs: 0, batchMax: 10, jitter: 0, requestTimeoutMs: 2000, backoff: { baseMs: 50, maxMs: 200 }, live: false,
    sampleMs: 0, followServerInterval: true, ...extra,
  };
}

function outbox(): Outbox<OutboxItem> {
  const dir = mkdtempSync(join(tmpdir(), 'sim-runner-'));
  const o = Outbox.open<OutboxItem>(join(dir, 'o.jsonl'), { maxItems: 100 });
  cleanups.push(() => {
    o.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return o;
}

async function* units(n: number): AsyncGenerator<TimedUnit> {
  const u = loadCaptures(p1Fixture('dp_v5_iskra')).units[0]!;
  for (let i = 0; i < n; i++) yield { atMs: Date.now() + i, unit: u };
}

const signals = () => ({ stopProducing: new AbortController().signal, stopSending: new AbortController().signal });

describe('device runner against scripted answers', () => {
  it('waits as long as Retry-After says, then retries the same readings', async () => {
    const stored = { status: 201, body: { accepted: 1, duplicates: 0, rejected: 0, results: [{ index: 0, status: 'stored' }] } };
    const server = await scriptedServer([{ status: 429, headers: { 'retry-after': '1' }, body: { error: { code: 'rate_limited', message: 'slow down' } } }, stored]);
    const stats = new RunStats();
    await new DeviceRunner(settings(server.url), outbox(), stats).run(units(1), signals());
    expect(server.hits).toHaveLength(2);
    expect(server.hits[1]!.at - server.hits[0]!.at).toBeGreaterThanOrEqual(990);
    expect(server.hits[1]!.body).toBe(server.hits[0]!.body);
    expect(stats.summary()).toMatchObject({ acknowledged: 1, retried: 1, pending: 0 });
  });

  it('backs off on 503 and counts per-reading results: stored, duplicate, rejected by code', async () => {
    const server = await scriptedServer([
      { status: 503, body: { error: { code: 'service_unavailable', message: 'db away' } } },
      {
        status: 201,
        body: {
          accepted: 1, duplicates: 1, rejected: 1,
          results: [{ index: 0, status: 'stored' }, { index: 1, status: 'duplicate' }, { index: 2, status: 'rejected', code: 'future_time' }],
        },
      },
    ]);
    const stats = new RunStats();
    const o = outbox();
    await new DeviceRunner(settings(server.url), o, stats).run(units(3), { ...signals() });
    // The first request may have carried fewer readings; the one that was answered carried all three.
    expect(stats.summary()).toMatchObject({ acknowledged: 2, duplicate: 1, rejected: { future_time: 1 }, pending: 0 });
    expect(stats.retried).toBeGreaterThanOrEqual(1);
    expect(o.size).toBe(0);
  });

  it('treats a 4xx as final and keeps nothing', async () => {
    const server = await scriptedServer([{ status: 401, body: { error: { code: 'unauthorized', message: 'bad key' } } }]);
    const stats = new RunStats();
    await new DeviceRunner(settings(server.url), outbox(), stats).run(units(2), signals());
    expect(stats.summary()).toMatchObject({ acknowledged: 0, rejected: { unauthorized: 2 }, pending: 0 });
  });
});

describe('a batch refused as a whole', () => {
  it('is split until the one bad reading is rejected alone; the others are stored', async () => {
    // The server refuses any request that carries reading #3 (a 400 for the whole body), else stores all.
    const hits: string[][] = [];
    const server: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        const parsed = JSON.parse(body) as { time: string } | { time: string }[];
        const times = (Array.isArray(parsed) ? parsed : [parsed]).map((r) => r.time);
        hits.push(times);
        const bad = times.includes(new Date(3000).toISOString());
        res.writeHead(bad ? 400 : 201, { 'content-type': 'application/json' });
        res.end(JSON.stringify(bad ? { error: { code: 'bad_request', message: 'body/2/voltageL1V too big' } } : { results: times.map((_, index) => ({ index, status: 'stored' })) }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(() => server.close());
    const o = outbox();
    for (let i = 0; i < 8; i++) o.add({ body: [{ time: new Date(i * 1000).toISOString() }][0]!, at: i * 1000 });
    const stats = new RunStats();
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    // The outbox already holds 8 readings (a restart); the request builder wraps them in one array.
    await new DeviceRunner(settings(url, { format: 'json', batchMax: 8 }), o, stats).run((async function* () {})(), signals());
    expect(stats.summary()).toMatchObject({ acknowledged: 7, rejected: { bad_request: 1 }, pending: 0 });
    expect(hits[0]).toHaveLength(8);
    expect(hits.some((h) => h.length === 1 && h[0] === new Date(3000).toISOString())).toBe(true);
  });
});
