import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TestDatabase } from '@sem/db/testing';
import { ADMIN_TOKEN, addDevice, bearer, openTestDatabase, testApp } from './test-app.ts';

let t: TestDatabase;
let app: FastifyInstance | undefined;
beforeAll(async () => {
  t = await openTestDatabase();
});
afterAll(async () => t?.destroy());
beforeEach(async () => t.clear());
afterEach(async () => {
  await app?.close();
  app = undefined;
});

const reading = (i: number) => ({ time: new Date(Date.UTC(2026, 10, 21, 9, 0, i)).toISOString(), powerImportW: 100 + i });

async function metric(a: FastifyInstance, name: string): Promise<number> {
  const text = (await a.inject({ method: 'GET', url: '/metrics', headers: bearer(ADMIN_TOKEN) })).body;
  return text
    .split('\n')
    .filter((l) => l.startsWith(name))
    .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
}

describe('group commit', () => {
  it('writes many concurrent single-reading requests in far fewer transactions', async () => {
    app = await testApp(t, { SEM_WRITE_LINGER_MS: '5' });
    const devices = await Promise.all(Array.from({ length: 200 }, (_, i) => addDevice(t, { name: `fleet-${i}` })));
    const before = app.writeQueue.stats.transactions;
    const responses = await Promise.all(
      devices.map((d, i) => app!.inject({ method: 'POST', url: '/api/v1/readings', headers: bearer(d.key), payload: reading(i % 60) })),
    );
    expect(responses.map((r) => r.statusCode)).toEqual(devices.map(() => 201));
    const transactions = app.writeQueue.stats.transactions - before;
    expect(transactions).toBeGreaterThan(0);
    expect(transactions).toBeLessThanOrEqual(20);
    const count = await t.db.selectFrom('reading').select(sql<number>`COUNT(*)`.as('n')).executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(200);
    expect(await metric(app, 'sem_write_rows_total')).toBe(200);
    expect(await metric(app, 'sem_write_transactions_total{outcome="committed"}')).toBe(transactions);
  });

  it('sheds with 503 + Retry-After when the queue is full; every 201 is stored', async () => {
    app = await testApp(t, { SEM_WRITE_QUEUE_MAX: '3', SEM_WRITE_LINGER_MS: '30' });
    const d = await addDevice(t);
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) => app!.inject({ method: 'POST', url: '/api/v1/readings', headers: bearer(d.key), payload: reading(i) })),
    );
    const ok = responses.filter((r) => r.statusCode === 201);
    const shed = responses.filter((r) => r.statusCode === 503);
    expect(ok.length + shed.length).toBe(20);
    expect(shed.length).toBeGreaterThan(0);
    // Jittered over 1–2× the time the queue needs, at least a second.
    expect(['1', '2']).toContain(shed[0]!.headers['retry-after']);
    expect(shed[0]!.json().error).toMatchObject({ code: 'service_unavailable', details: { reason: 'write_queue_full' } });
    const rows = await t.db.selectFrom('reading').select('power_import_w').execute();
    expect(rows.length).toBe(ok.length);
    expect(await metric(app, 'sem_write_queue_shed_total')).toBe(shed.length);
  });
});

describe('database failures', () => {
  it('answers 503 with Retry-After when the database is unreachable', async () => {
    const d = await addDevice(t);
    app = await testApp(t, { SEM_DB_PORT: '1', SEM_DB_CONNECT_TIMEOUT_MS: '500' });
    const res = await app.inject({ method: 'POST', url: '/api/v1/readings', headers: bearer(d.key), payload: reading(0) });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.json().error.code).toBe('service_unavailable');
    expect(JSON.stringify(res.json())).not.toMatch(/ECONNREFUSED|127\.0\.0\.1/);
    expect((await app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(503);
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });

  it('writes nothing of a transaction whose connection dies half-way, and recovers', async () => {
    let kill = true;
    app = await testApp(t, {}, {
      writeSteps: [
        {
          name: 'connection-killer',
          async run(trx) {
            // The reading rows are already inserted in this transaction when the connection dies.
            if (kill) await sql`KILL CONNECTION CONNECTION_ID()`.execute(trx);
          },
        },
      ],
    });
    const d = await addDevice(t);
    const payload = [reading(0), { ...reading(1), mbus: [{ channel: 1, value: 5 }] }];
    const res = await app.inject({ method: 'POST', url: '/api/v1/readings', headers: bearer(d.key), payload });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBeDefined();
    expect(await t.db.selectFrom('reading').select('device_id').execute()).toEqual([]);
    expect(await t.db.selectFrom('mbus_reading').select('device_id').execute()).toEqual([]);
    kill = false;
    const retry = await app.inject({ method: 'POST', url: '/api/v1/readings', headers: bearer(d.key), payload });
    expect(retry.statusCode).toBe(201);
    expect(retry.json()).toMatchObject({ accepted: 2, duplicates: 0 });
  });

  it('isolates a request whose rows break a shared transaction; the others still land', async () => {
    app = await testApp(t, { SEM_WRITE_LINGER_MS: '30' }, {
      writeSteps: [
        {
          name: 'poison',
          async run(_trx, rows) {
            if (rows.some((r) => r.columns.power_import_w === 666)) throw new Error('poisoned row');
          },
        },
      ],
    });
    const d = await addDevice(t);
    const [good, bad] = await Promise.all([
      app.inject({ method: 'POST', url: '/api/v1/readings', headers: bearer(d.key), payload: reading(1) }),
      app.inject({ method: 'POST', url: '/api/v1/readings', headers: bearer(d.key), payload: { ...reading(2), powerImportW: 666 } }),
    ]);
    expect(good.statusCode).toBe(201);
    expect(bad.statusCode).toBe(500);
    expect(bad.json()).toEqual({ error: { code: 'internal_error', message: 'internal error' } });
    expect(await t.db.selectFrom('reading').select('power_import_w').execute()).toEqual([{ power_import_w: 101 }]);
  });
});
