import { sql, type Transaction } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Database } from '@sem/db';
import type { TestDatabase } from '@sem/db/testing';
import type { WriteStep } from '@sem/ingest';
import { addDevice, bearer, openTestDatabase, testApp } from './test-app.ts';

// A real MariaDB refusal caused by one reading's data: a step copies each reading's power into a TINYINT
// column, which strict mode refuses above 127 (ER_WARN_DATA_OUT_OF_RANGE) — the engine's own columns are range-checked before SQL.
const tinyPowerStep: WriteStep = {
  name: 'tiny_power_probe',
  async run(trx: Transaction<Database>, rows) {
    for (const r of rows) {
      const w = r.columns.power_import_w;
      if (w !== undefined) await sql`INSERT INTO tiny_power_probe (w) VALUES (${w})`.execute(trx);
    }
  },
};

let t: TestDatabase;
let app: FastifyInstance;
beforeAll(async () => {
  t = await openTestDatabase();
  await sql`CREATE TABLE IF NOT EXISTS tiny_power_probe (w TINYINT NOT NULL)`.execute(t.db);
  app = await testApp(t, { SEM_WRITE_LINGER_MS: '30' }, { writeSteps: [tinyPowerStep] });
});
afterAll(async () => {
  await app?.close();
  await sql`DROP TABLE IF EXISTS tiny_power_probe`.execute(t.db);
  await t?.destroy();
});

const post = (key: string, payload: unknown) => app.inject({ method: 'POST', url: '/api/v1/readings', headers: bearer(key), payload: payload as object });

describe('one bad reading never fails the others', () => {
  it('refuses the reading the database refuses, alone, with a reason; the rest of its request and of its group commit are stored', async () => {
    await t.clear(['tiny_power_probe']);
    const bad = await addDevice(t);
    const good = await addDevice(t);
    const batch = Array.from({ length: 7 }, (_, i) => ({ time: `2026-11-21T10:0${i}:00Z`, powerImportW: i === 4 ? 1000 : 10 + i }));
    // Both requests land in the same group commit (30 ms linger).
    const [a, b] = await Promise.all([post(bad.key, batch), post(good.key, { time: '2026-11-21T10:00:00Z', powerImportW: 5 })]);
    expect(b.statusCode, b.body).toBe(201);
    expect(a.statusCode, a.body).toBe(201);
    expect(a.json()).toMatchObject({ accepted: 6, rejected: 1 });
    expect(a.json().results[4]).toMatchObject({ status: 'rejected', code: 'unstorable', message: expect.stringContaining('Out of range') });
    const rows = await t.db.selectFrom('reading').select(['device_id', 'power_import_w']).orderBy('device_id').orderBy('meter_time').execute();
    expect(rows.filter((r) => r.device_id === bad.id).map((r) => r.power_import_w)).toEqual([10, 11, 12, 13, 15, 16]);
    expect(rows.filter((r) => r.device_id === good.id).map((r) => r.power_import_w)).toEqual([5]);
  });

  it('answers 422, not 500, when the only reading is refused by the database', async () => {
    await t.clear(['tiny_power_probe']);
    const d = await addDevice(t);
    const res = await post(d.key, { time: '2026-11-21T10:00:00Z', powerImportW: 1000 });
    expect(res.statusCode, res.body).toBe(422);
    expect(res.json().error.details.results[0]).toMatchObject({ code: 'unstorable' });
    expect(await t.db.selectFrom('reading').selectAll().execute()).toEqual([]);
  });
});
