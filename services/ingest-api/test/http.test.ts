import type { FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TestDatabase } from '@sem/db/testing';
import { p1Captures } from './fixtures.ts';
import { ADMIN_TOKEN, addDevice, bearer, openTestDatabase, testApp } from './test-app.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await openTestDatabase();
});
afterAll(async () => t?.destroy());
beforeEach(async () => t.clear());

async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

describe('over real HTTP (listen on port 0)', () => {
  it('serves every ingest client shape end to end', async () => {
    const app = await testApp(t);
    try {
      const base = await listen(app);
      const d = await addDevice(t, { keyFormat: 'legacy' });
      const json = await fetch(`${base}/api/v1/readings`, {
        method: 'POST',
        headers: { authorization: `Bearer ${d.key}`, 'content-type': 'application/json' },
        body: JSON.stringify([{ time: '2026-11-21T09:00:00Z', powerImportW: 10 }]),
      });
      expect(json.status).toBe(201);
      const capture = p1Captures().find((c) => c.name === 'dp_fluvius_v171')!;
      const telegram = await fetch(`${base}/api/v1/telegrams`, {
        method: 'POST',
        headers: { 'x-api-key': d.key, 'content-type': 'text/plain' },
        body: capture.bytes,
      });
      expect(telegram.status, await telegram.clone().text()).toBe(201);
      const sem = await fetch(`${base}/post-data.php`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `api_key=${d.key}&UL1=230.1&UL2=-1.0&UL3=-1.0&IL1=1.0&IL2=-1.0&IL3=-1.0&Pcl=1.000&Pch=2.000&Ppl=0.000&Pph=0.000&Pc=0.500&Pp=0.000&Vg=-1.000&Vw=-1.000`,
      });
      expect(sem.status).toBe(201);
      const dl = await fetch(`${base}/api/v1/datalogger/dsmrreading`, {
        method: 'POST',
        headers: { 'x-authkey': 'nope', 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ telegram: capture.bytes.toString('latin1') }),
      });
      expect(dl.status).toBe(403);
      const rows = await t.db.selectFrom('reading').select('source').orderBy('source').execute();
      expect(rows.map((r) => r.source)).toEqual([1, 2, 4]);
      const metrics = await fetch(`${base}/metrics`, { headers: bearer(ADMIN_TOKEN) });
      expect(metrics.headers.get('content-type')).toMatch(/^text\/plain/);
      const big = await fetch(`${base}/api/v1/telegrams`, {
        method: 'POST',
        headers: { 'x-api-key': d.key, 'content-type': 'text/plain' },
        body: 'x'.repeat(2 * 1024 * 1024),
      });
      expect(big.status).toBe(413);
      expect(((await big.json()) as { error: { code: string } }).error.code).toBe('payload_too_large');
    } finally {
      await app.close();
    }
  });

  it('drains the write queue on close: every accepted request is answered 201 and stored', async () => {
    const app = await testApp(t, { SEM_WRITE_LINGER_MS: '300' });
    const base = await listen(app);
    const d = await addDevice(t);
    const posts = Array.from({ length: 5 }, (_, i) =>
      fetch(`${base}/api/v1/readings`, {
        method: 'POST',
        headers: { authorization: `Bearer ${d.key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ time: 1_763_715_600_000 + i * 1000, powerImportW: i }),
      }),
    );
    for (let i = 0; i < 100 && app.writeQueue.depth < 5; i++) await new Promise((r) => setTimeout(r, 10));
    expect(app.writeQueue.depth).toBe(5);
    await app.close();
    const statuses = (await Promise.all(posts)).map((r) => r.status);
    expect(statuses).toEqual([201, 201, 201, 201, 201]);
    expect((await t.db.selectFrom('reading').select('power_import_w').execute()).length).toBe(5);
  });
  it('sheds with 503 + Retry-After at once when the oldest waiting request is older than SEM_WRITE_QUEUE_MAX_WAIT_MS', async () => {
    const app = await testApp(t, { SEM_WRITE_QUEUE_MAX_WAIT_MS: '200' });
    const base = await listen(app);
    const d = await addDevice(t);
    const post = (time: number) =>
      fetch(`${base}/api/v1/readings`, {
        method: 'POST',
        headers: { authorization: `Bearer ${d.key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ time, powerImportW: 5 }),
      });
    const t0 = 1_763_715_600_000;
    // A real stall: another transaction holds the key the writer must insert, so the writer waits on its row lock.
    const blocker = await t.db.startTransaction().execute();
    try {
      await blocker.insertInto('reading').values({ device_id: d.id, meter_time: new Date(t0), received_at: new Date(), source: 0 }).execute();
      const first = post(t0);
      for (let i = 0; i < 200 && app.writeQueue.oldestWaitMs < 300; i++) await new Promise((r) => setTimeout(r, 10));
      expect(app.writeQueue.oldestWaitMs).toBeGreaterThan(200);
      const started = performance.now();
      const shed = await post(t0 + 1000);
      expect(performance.now() - started).toBeLessThan(1000);
      expect(shed.status).toBe(503);
      expect(Number(shed.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(((await shed.json()) as { error: { details: { reason: string } } }).error.details.reason).toBe('write_queue_slow');
      await blocker.rollback().execute();
      expect((await first).status).toBe(201);
    } finally {
      await blocker.rollback().execute().catch(() => {});
    }
    // Caught up: accepted again, and only the acknowledged reading is stored.
    expect((await post(t0 + 2000)).status).toBe(201);
    expect((await t.db.selectFrom('reading').select('meter_time').where('device_id', '=', d.id).execute()).map((r) => r.meter_time.getTime()).sort()).toEqual([t0, t0 + 2000]);
    expect(app.writeQueue.stats.shed).toBe(1);
    await app.close();
  });
});
