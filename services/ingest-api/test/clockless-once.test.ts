import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { purgeExpiredRequests } from '@sem/ingest';
import { addDevice, bearer, testApp, useTestApp } from './test-app.ts';

const ctx = useTestApp({}, ['rollup_gap']);

/** The SEM firmware's form: no clock, the key in the body; `n` makes each reading's values its own. */
const semForm = (key: string, n: number) =>
  `api_key=${key}&UL1=230.1&UL2=-1.0&UL3=-1.0&IL1=1.0&IL2=-1.0&IL3=-1.0&Pcl=${(1 + n / 1000).toFixed(3)}&Pch=2.000&Ppl=0.000&Pph=0.000&Pc=0.500&Pp=0.000&Vg=-1.000&Vw=-1.000`;

const postSem = (app: typeof ctx.app, body: string, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url: '/post-data.php', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, payload: body });

const count = async (deviceId: number) => Number((await sql<{ n: number }>`SELECT COUNT(*) AS n FROM reading WHERE device_id = ${deviceId}`.execute(ctx.t.db)).rows[0]!.n);

describe('clockless readings exactly once', () => {
  it('stores every reading of 4 concurrent connections × 100 from one device, none "duplicate"', async () => {
    const d = await addDevice(ctx.t, { keyFormat: 'legacy' });
    const statuses: string[] = [];
    await Promise.all(
      [0, 1, 2, 3].map(async (c) => {
        for (let i = 0; i < 100; i++) {
          const res = await postSem(ctx.app, semForm(d.key, c * 100 + i));
          statuses.push(res.statusCode === 201 ? res.json().results[0].status : String(res.statusCode));
        }
      }),
    );
    expect(statuses.filter((s) => s !== 'stored')).toEqual([]);
    expect(await count(d.id)).toBe(400);
    const values = await sql<{ v: number }>`SELECT energy_import_t2_wh AS v FROM reading WHERE device_id = ${d.id}`.execute(ctx.t.db);
    expect(new Set(values.rows.map((r) => Number(r.v))).size).toBe(400);
  });

  it('counts an identical body retried within the window as a duplicate, and honours Idempotency-Key', async () => {
    const d = await addDevice(ctx.t, { keyFormat: 'legacy' });
    const first = await postSem(ctx.app, semForm(d.key, 1));
    const again = await postSem(ctx.app, semForm(d.key, 1));
    expect(first.json().results[0].status).toBe('stored');
    expect(again.json()).toMatchObject({ accepted: 0, duplicates: 1 });
    // Told apart by the client: two readings.
    const a = await postSem(ctx.app, semForm(d.key, 2), { 'idempotency-key': 'reading-a' });
    const b = await postSem(ctx.app, semForm(d.key, 2), { 'idempotency-key': 'reading-b' });
    const b2 = await postSem(ctx.app, semForm(d.key, 2), { 'idempotency-key': 'reading-b' });
    expect([a, b, b2].map((r) => r.json().results[0].status)).toEqual(['stored', 'stored', 'duplicate']);
    expect(await count(d.id)).toBe(3);
    // A JSON request with meter times and a key: its retry adds nothing either.
    const json = await addDevice(ctx.t);
    const body = [{ time: '2026-11-21T10:00:00Z', powerImportW: 5 }];
    const j1 = await ctx.app.inject({ method: 'POST', url: '/api/v1/readings', headers: { ...bearer(json.key), 'idempotency-key': 'j' }, payload: body });
    const j2 = await ctx.app.inject({ method: 'POST', url: '/api/v1/readings', headers: { ...bearer(json.key), 'idempotency-key': 'j' }, payload: body });
    expect([j1.json().accepted, j2.json().duplicates]).toEqual([1, 1]);
    const bad = await postSem(ctx.app, semForm(d.key, 3), { 'idempotency-key': 'x'.repeat(300) });
    expect(bad.statusCode).toBe(400);
  });

  it('forgets a request after its window: an expired mark is purged and the same body is a new reading', async () => {
    const d = await addDevice(ctx.t, { keyFormat: 'legacy' });
    expect((await postSem(ctx.app, semForm(d.key, 4))).json().accepted).toBe(1);
    await sql`UPDATE ingest_request SET expires_at = NOW(3) - INTERVAL 1 SECOND WHERE device_id = ${d.id}`.execute(ctx.t.db);
    expect(await purgeExpiredRequests(ctx.t.db)).toBe(1);
    expect((await postSem(ctx.app, semForm(d.key, 4))).json().accepted).toBe(1);
    expect(await count(d.id)).toBe(2);
  });

  it('stores a request once when the client times out on a frozen database and retries on another writer', async () => {
    const d = await addDevice(ctx.t, { keyFormat: 'legacy' });
    const replica = await testApp(ctx.t);
    const lock = await ctx.t.db.connection().execute(async (conn) => {
      // Another session holds the reading table: every write waits (a frozen database).
      await sql`LOCK TABLES reading WRITE`.execute(conn);
      const first = postSem(ctx.app, semForm(d.key, 9));
      const timedOut = await Promise.race([first.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), 300))]);
      // The client gave up; it sends the same request again, to the other writer.
      const retry = postSem(replica, semForm(d.key, 9));
      await new Promise((r) => setTimeout(r, 300));
      await sql`UNLOCK TABLES`.execute(conn);
      return { timedOut, first: await first, retry: await retry };
    });
    await replica.close();
    expect(lock.timedOut).toBe(true);
    expect([lock.first.statusCode, lock.retry.statusCode]).toEqual([201, 201]);
    expect([lock.first.json().results[0].status, lock.retry.json().results[0].status].sort()).toEqual(['duplicate', 'stored']);
    expect(await count(d.id)).toBe(1);
  });
});
