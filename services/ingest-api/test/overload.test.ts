import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TestDatabase } from '@sem/db/testing';
import { buildApp } from '../src/app.ts';
import { startListeners } from '../src/http/listeners.ts';
import { addDevice, openTestDatabase, testApp, testConfig } from './test-app.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await openTestDatabase();
});
afterAll(async () => t?.destroy());
beforeEach(async () => t.clear());

const COMMIT_MS = 100;
const BUDGET_MS = 1000;
const BATCH = 2;
const CLIENTS = 30;
const WARM_MS = 1500;
const LOAD_MS = 3000;
const T0 = 1_763_715_600_000;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const p99 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.max(0, Math.ceil(xs.length * 0.99) - 1)] ?? 0;

describe('overload: admission by expected wait (SEM_WRITE_ADMIT_MAX_WAIT_MS)', () => {
  it('answers the excess at once with 503 + Retry-After, commits every admitted reading, and keeps the writer busy', async () => {
    // A slowed commit (a real write step that holds the transaction 100 ms) and 2-row batches: < 20 readings/s can
    // commit; 30 devices posting back to back offer far more. Without the budget each would wait 1.5 s or more.
    const app = await testApp(
      t,
      {
        SEM_WRITE_ADMIT_MAX_WAIT_MS: String(BUDGET_MS),
        SEM_WRITE_BATCH_MAX: String(BATCH),
        SEM_WRITE_CONCURRENCY: '1',
        SEM_RATE_LIMIT_PER_MINUTE: '100000',
        SEM_ROLLUP_FLUSH_MS: '2000',
      },
      { writeSteps: [{ name: 'slow commit', run: () => sleep(COMMIT_MS) }] },
    );
    try {
      const devices = await Promise.all(Array.from({ length: CLIENTS }, () => addDevice(t)));
      const post = (key: string, time: number) =>
        app.inject({ method: 'POST', url: '/api/v1/readings', headers: { authorization: `Bearer ${key}` }, payload: { time, powerImportW: 1 } });
      // Keys cached, code compiled, the commit time known to the queue (then under this load: the first 1.5 s are not measured).
      let stored201 = (await Promise.all(devices.map((d) => post(d.key, T0)))).filter((r) => r.statusCode === 201).length;
      await app.writeQueue.drain();
      const measureFrom = performance.now() + WARM_MS;
      const stopAt = measureFrom + LOAD_MS;
      const txSeconds = async () => {
        const m = await app.metrics.registry.getSingleMetric('sem_write_transaction_duration_seconds')!.get();
        return m.values.find((v) => (v as { metricName?: string }).metricName === 'sem_write_transaction_duration_seconds_sum')!.value;
      };
      let before = { ...app.writeQueue.stats, busyS: 0 };
      const snapshot = sleep(WARM_MS).then(async () => {
        before = { ...app.writeQueue.stats, busyS: await txSeconds() };
      });
      const admitted: number[] = [];
      const shed: number[] = [];
      const otherStatuses: number[] = [];
      await Promise.all(
        devices.map(async (d) => {
          for (let i = 1; performance.now() < stopAt; i++) {
            const sent = performance.now();
            const res = await post(d.key, T0 + i * 1000);
            const ms = performance.now() - sent;
            const measured = sent >= measureFrom;
            if (res.statusCode === 201) {
              stored201++;
              if (measured) admitted.push(ms);
            } else if (res.statusCode === 503) {
              if (measured) shed.push(ms);
              expect(res.json().error.code).toBe('service_unavailable');
              const retryAfter = Number(res.headers['retry-after']);
              expect(Number.isInteger(retryAfter) && retryAfter >= 1, `Retry-After ${res.headers['retry-after']}`).toBe(true);
              // A device would wait Retry-After; this one only pauses, to keep offering more than can commit.
              await sleep(50);
            } else otherStatuses.push(res.statusCode);
          }
        }),
      );
      await snapshot;
      const elapsedS = (performance.now() - measureFrom) / 1000;
      const busyS = (await txSeconds()) - before.busyS;
      const rows = app.writeQueue.stats.rows - before.rows;
      const transactions = app.writeQueue.stats.transactions - before.transactions;
      await app.writeQueue.drain();

      expect(otherStatuses).toEqual([]);
      expect(shed.length).toBeGreaterThan(admitted.length);
      // Shed at once (the bench measures the 50 ms goal at p99; here slack for a shared, often overloaded 2-core
      // machine). Admitted within the budget, or two commits when one commit takes longer, plus the commit in hand.
      expect(median(shed)).toBeLessThan(50);
      expect(p99(shed)).toBeLessThan(250);
      const txMs = (busyS * 1000) / transactions;
      if (admitted.length > 0) expect(p99(admitted)).toBeLessThan(Math.max(BUDGET_MS, 2 * txMs) + 2 * txMs + 300);
      // Every 201 is committed, nothing refused is stored: one row per admitted request.
      const stored = await t.db.selectFrom('reading').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      expect(Number(stored.n)).toBe(stored201);
      // Goodput does not collapse: the writer was committing full batches most of the time.
      expect(rows).toBeGreaterThan(0);
      expect(busyS / elapsedS).toBeGreaterThan(0.6);
      expect(rows / transactions).toBeGreaterThan(0.8 * BATCH);
    } finally {
      await app.close();
    }
  });

  it('refuses new writes at once while a commit is stalled on a row lock, and commits the admitted one after', async () => {
    const app = await testApp(t, { SEM_WRITE_ADMIT_MAX_WAIT_MS: '100', SEM_WRITE_QUEUE_MAX_WAIT_MS: '60000', SEM_WRITE_CONCURRENCY: '1' });
    const [a, b] = [await addDevice(t), await addDevice(t)];
    const post = (key: string, time: number) =>
      app.inject({ method: 'POST', url: '/api/v1/readings', headers: { authorization: `Bearer ${key}` }, payload: { time, powerImportW: 7 } });
    const blocker = await t.db.startTransaction().execute();
    try {
      await blocker.insertInto('reading').values({ device_id: a.id, meter_time: new Date(T0), received_at: new Date(), source: 0 }).execute();
      const first = post(a.key, T0);
      for (let i = 0; i < 100 && app.writeQueue.oldestWaitMs < 250; i++) await sleep(10);
      const started = performance.now();
      const refused = await post(b.key, T0);
      expect(performance.now() - started).toBeLessThan(200);
      expect(refused.statusCode).toBe(503);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(refused.json().error.details.reason).toBe('write_wait_over_budget');
      await blocker.rollback().execute();
      expect((await first).statusCode).toBe(201);
      // The queue is idle again: the refused reading is taken on retry.
      expect((await post(b.key, T0)).statusCode).toBe(201);
    } finally {
      await blocker.rollback().execute().catch(() => undefined);
      await app.close();
    }
  });

  it('on a real listener, refuses the excess at the admission gate with the same answer, before the body arrives', async () => {
    const env = { SEM_WRITE_ADMIT_MAX_WAIT_MS: '100', SEM_WRITE_QUEUE_MAX_WAIT_MS: '60000', SEM_WRITE_CONCURRENCY: '1', SEM_HTTP_HOST: '127.0.0.1', SEM_HTTP_PORT: '0' };
    const app = await buildApp(testConfig(t, env), { logger: false });
    const listeners = await startListeners(app, testConfig(t, env));
    const [a, b] = [await addDevice(t), await addDevice(t)];
    const url = (kind: 'http', path: string) => `http://127.0.0.1:${listeners.ports[kind]}${path}`;
    const post = (key: string, time: number) =>
      fetch(url('http', '/api/v1/readings'), { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ time, powerImportW: 7 }) });
    const rejects = async () => {
      const m = await app.metrics.registry.getSingleMetric('sem_http_rejects_total')!.get();
      return m.values.filter((v) => v.labels.reason === 'service_unavailable' && v.labels.route === '/api/v1/readings').reduce((n, v) => n + v.value, 0);
    };
    const blocker = await t.db.startTransaction().execute();
    try {
      await blocker.insertInto('reading').values({ device_id: a.id, meter_time: new Date(T0), received_at: new Date(), source: 0 }).execute();
      const first = post(a.key, T0);
      for (let i = 0; i < 100 && app.writeQueue.oldestWaitMs < 250; i++) await sleep(10);
      const shedBefore = app.writeQueue.stats.shed;
      const refused = await post(b.key, T0);
      expect(refused.status).toBe(503);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(refused.headers.get('content-type')).toBe('application/json; charset=utf-8');
      const body = (await refused.json()) as { error: { code: string; message: string; details: { reason: string } } };
      expect(body.error.code).toBe('service_unavailable');
      expect(body.error.details.reason).toBe('write_wait_over_budget');
      expect(app.writeQueue.stats.shed).toBe(shedBefore + 1);
      expect(await rejects()).toBe(1);

      // Headers only, the body never sent: the refusal does not wait for it.
      const early = await new Promise<string>((resolve, reject) => {
        const socket = connect(listeners.ports.http!, '127.0.0.1', () =>
          socket.write(`POST /api/v1/readings HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${b.key}\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n`),
        );
        let got = '';
        socket.on('data', (d) => {
          got += d.toString();
          if (got.includes('\r\n\r\n')) {
            socket.destroy();
            resolve(got);
          }
        });
        socket.on('error', reject);
        setTimeout(() => (socket.destroy(), resolve(got)), 2000);
      });
      expect(early).toMatch(/^HTTP\/1\.1 503 /);
      expect(early.toLowerCase()).toContain('retry-after: ');

      await blocker.rollback().execute();
      expect((await first).status).toBe(201);
    } finally {
      await blocker.rollback().execute().catch(() => undefined);
      await listeners.close();
    }
  });
});
