import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDatabase } from '@sem/db/testing';
import { deleteDevice, revokeKeys } from '../src/devices/devices.service.ts';
import { addDevice, bearer, openTestDatabase, testApp } from './test-app.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await openTestDatabase();
});
afterAll(async () => t?.destroy());

const reading = () => ({ time: new Date().toISOString(), powerImportW: 5 });

describe('authentication', () => {
  it('throttles repeated failures from one address with 429 + Retry-After before any database query', async () => {
    const app = await testApp(t, { SEM_AUTH_FAILURES_PER_MINUTE: '5' });
    try {
      const good = await addDevice(t);
      const guess = (i: number, remoteAddress = '203.0.113.7') =>
        app.inject({ method: 'POST', url: '/api/v1/readings', remoteAddress, headers: bearer(`guess-${i}-${'x'.repeat(20)}`), payload: reading() });
      for (let i = 0; i < 5; i++) expect((await guess(i)).statusCode).toBe(401);
      // A frozen key table: a request that looked its key up would hang here.
      const frozen = await t.db.connection().execute(async (conn) => {
        await sql`LOCK TABLES device_key WRITE, device WRITE`.execute(conn);
        try {
          const started = performance.now();
          const throttled = await guess(5);
          return { throttled, ms: performance.now() - started };
        } finally {
          await sql`UNLOCK TABLES`.execute(conn);
        }
      });
      expect(frozen.throttled.statusCode).toBe(429);
      expect(Number(frozen.throttled.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(frozen.ms).toBeLessThan(1000);
      // The limit is per address: another client is served.
      expect((await app.inject({ method: 'POST', url: '/api/v1/readings', remoteAddress: '198.51.100.1', headers: bearer(good.key), payload: reading() })).statusCode).toBe(201);
    } finally {
      await app.close();
    }
  });

  it('keeps keys out of the log at the default level: headers, query strings (?api_key=) and bodies', async () => {
    const lines: string[] = [];
    const app = await testApp(t, { SEM_LOG_LEVEL: 'info' }, { logger: undefined, logStream: { write: (line) => void lines.push(line) } });
    try {
      const d = await addDevice(t, { keyFormat: 'legacy' });
      await app.inject({ method: 'POST', url: `/post-data.php?api_key=${d.key}`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `api_key=${d.key}&Pc=0.5` });
      await app.inject({ method: 'GET', url: `/api/v1/readings?from=2026-01-01T00:00Z&to=2026-01-02T00:00Z&token=${d.key}&API%5FKEY=${d.key}`, headers: bearer(d.key) });
      await app.inject({ method: 'POST', url: `/api/v1/telegrams?key=${d.key}`, headers: { 'x-api-key': d.key, 'content-type': 'text/plain' }, payload: `/${d.key}` });
      await app.inject({ method: 'POST', url: '/api/v1/datalogger/dsmrreading', headers: { 'x-authkey': d.key, 'content-type': 'application/x-www-form-urlencoded' }, payload: `telegram=${d.key}` });
      const log = lines.join('');
      expect(log).toContain('[redacted]');
      expect(log).toContain('from=2026-01-01T00:00Z');
      expect(log).not.toContain(d.key);
    } finally {
      await app.close();
    }
  });

  it('answers 401, never 500, for a device revoked or deleted: at once in this process, within the cache TTL elsewhere', async () => {
    const app = await testApp(t, { SEM_DEVICE_CACHE_TTL_MS: '1000' });
    const post = (key: string) => app.inject({ method: 'POST', url: '/api/v1/readings', headers: bearer(key), payload: reading() });
    try {
      // Deleted by another process (the CLI, or SQL): the cached key still passes, the write finds no device.
      const deleted = await addDevice(t);
      expect((await post(deleted.key)).statusCode).toBe(201);
      await sql`DELETE FROM device WHERE id = ${deleted.id}`.execute(t.db);
      const after = await post(deleted.key);
      expect(after.statusCode, after.body).toBe(401);
      expect((await post(deleted.key)).statusCode).toBe(401);
      // Deleted through the CLI's code path in this process: at once.
      const viaCli = await addDevice(t);
      expect((await post(viaCli.key)).statusCode).toBe(201);
      await deleteDevice(t.db, viaCli.id);
      expect((await post(viaCli.key)).statusCode).toBe(401);
      // Revoked here: at once; revoked by another process: within the TTL.
      const revoked = await addDevice(t);
      expect((await post(revoked.key)).statusCode).toBe(201);
      await revokeKeys(t.db, revoked.id);
      expect((await post(revoked.key)).statusCode).toBe(401);
      const elsewhere = await addDevice(t);
      expect((await post(elsewhere.key)).statusCode).toBe(201);
      await sql`UPDATE device_key SET revoked_at = NOW(3) WHERE device_id = ${elsewhere.id}`.execute(t.db);
      await new Promise((r) => setTimeout(r, 1100));
      expect((await post(elsewhere.key)).statusCode).toBe(401);
    } finally {
      await app.close();
    }
  });
});
