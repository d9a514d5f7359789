import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, testDbPrefix, type TestDatabase } from '@sem/db/testing';
import { ROLLUP_TABLES } from '@sem/db';
import { addDevice, bearer, testApp } from './test-app.ts';

let t: TestDatabase;
let app: FastifyInstance | undefined;
beforeAll(async () => {
  t = await createTestDatabase(testDbPrefix('rollups_api'), { fresh: true });
});
afterAll(async () => t?.destroy());
beforeEach(async () => t.clear(ROLLUP_TABLES));
afterEach(async () => {
  await app?.close();
  app = undefined;
});

/** Readings every 15 min from 2026-01-07 10:00Z: +250 Wh import per quarter, gas captured hourly (+0.1 m³). */
const reading = (q: number) => ({
  time: new Date(Date.UTC(2026, 0, 7, 10, 15 * q)).toISOString(),
  energyImportT1Kwh: 1000 + 0.25 * q,
  energyImportT2Kwh: 500,
  powerImportW: 1000,
  voltageL1V: 230.5,
  mbus: [{ channel: 1, deviceType: 3, unit: 'm3', value: 100 + 0.1 * Math.floor(q / 4), capturedAt: new Date(Date.UTC(2026, 0, 7, 10 + Math.floor(q / 4))).toISOString() }],
});

describe('the API write path keeps the rollups', () => {
  it('rolls up what a device posts, once, whether sent one by one or again in a batch', async () => {
    app = await testApp(t);
    const d = await addDevice(t, { name: 'rollup-api' });
    for (let q = 0; q <= 8; q++) {
      const r = await app.inject({ method: 'POST', url: '/api/v1/readings', headers: bearer(d.key), payload: reading(q) });
      expect(r.statusCode).toBe(201);
    }
    // The same readings again, as one batch: all duplicates, nothing changes.
    const again = await app.inject({ method: 'POST', url: '/api/v1/readings', headers: bearer(d.key), payload: Array.from({ length: 9 }, (_, q) => reading(q)) });
    expect(again.statusCode).toBeLessThan(300);
    const day = await sql<{ imp_wh: number; imp_t1_wh: number; gas_l: number; peak_quarter_wh: number }>`
      SELECT imp_wh, imp_t1_wh, gas_l, peak_quarter_wh FROM rollup_day WHERE device_id = ${d.id}`.execute(t.db);
    // 8 quarters x 250 Wh; gas 100.0 -> 100.2 over two hourly captures.
    expect(day.rows.map((r) => [Number(r.imp_wh), Number(r.imp_t1_wh), Number(r.gas_l), Number(r.peak_quarter_wh)])).toEqual([[2000, 2000, 200, 250]]);
    const minute = await sql<{ n: number; avg: number }>`SELECT SUM(u_l1_n) AS n, SUM(u_l1_sum) / SUM(u_l1_n) AS avg FROM rollup_minute WHERE device_id = ${d.id}`.execute(t.db);
    expect(Number(minute.rows[0]!.n)).toBe(9);
    expect(Number(minute.rows[0]!.avg)).toBeCloseTo(230.5, 6);
  });
});
