import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { decodeFrames, type Reading } from '@sem/meter-protocol';
import { optionsFor } from '@sem/meter-protocol/testing';
import { createConnection } from 'mysql2/promise';
import { ROLLUP_TABLES } from '@sem/db';
import { prepareReading, WriteQueue } from '@sem/ingest';
import { hanCaptures } from './fixtures.ts';
import { jsonBody } from './json-client.ts';
import { expectStored } from './stored-reading.ts';
import { addDevice, bearer, useTestApp } from './test-app.ts';

const ctx = useTestApp({}, ROLLUP_TABLES);

const ZONE = 'Europe/Oslo';
// Kaifa MA304T4: the hourly list 3 carries the header time of the list 2 sent in the same second.
const capture = hanCaptures().find((c) => c.name === 'kaifa_3p_list3_1')!;
const list3 = decodeFrames(capture.bytes, { timeZone: ZONE, ...optionsFor({ expected: capture.expected }) })[0]!;
const at = list3.meterTime!;
const REGISTERS = ['energyImportKwh', 'energyExportKwh', 'energyReactiveImportKvarh', 'energyReactiveExportKvarh'];
/** The list 2 of that second: the same instantaneous values, no registers. */
const list2: Reading = {
  ...list3,
  list: 2,
  raw: [],
  values: Object.fromEntries(Object.entries(list3.values).filter(([k]) => !REGISTERS.includes(k))),
};

const postFrame = (key: string) =>
  ctx.app.inject({ method: 'POST', url: '/api/v1/frames', headers: { ...bearer(key), 'content-type': 'application/octet-stream' }, payload: capture.bytes });
const postJson = (key: string, body: object) => ctx.app.inject({ method: 'POST', url: '/api/v1/readings', headers: bearer(key), payload: body });

describe('a second reading at a stored meter time fills what the stored row lacks', () => {
  it('list 2 then list 3 of one second: the energy registers are stored and rolled up, nothing counted twice', async () => {
    expect(list3.values.energyImportKwh).toBeGreaterThan(0);
    const d = await addDevice(ctx.t, { name: 'kaifa-merge', timeZone: ZONE, country: 'NO' });
    // The previous hourly list 3, 2 kWh lower.
    const before = { time: new Date(at.getTime() - 3_600_000).toISOString(), energyImportKwh: list3.values.energyImportKwh! - 2, energyExportKwh: list3.values.energyExportKwh };
    expect((await postJson(d.key, before)).statusCode).toBe(201);
    const first = await postJson(d.key, jsonBody(list2));
    expect(first.json()).toMatchObject({ accepted: 1, merged: 0, duplicates: 0, results: [{ status: 'stored' }] });

    const second = await postFrame(d.key);
    expect(second.statusCode).toBe(201);
    expect(second.json()).toMatchObject({ accepted: 0, merged: 1, duplicates: 0, rejected: 0, results: [{ index: 0, status: 'merged', meterTime: at.toISOString() }] });
    await expectStored(ctx.t, d.id, list3);

    const again = await postFrame(d.key);
    expect(again.json()).toMatchObject({ accepted: 0, merged: 0, duplicates: 1, results: [{ status: 'duplicate' }] });

    const hours = await sql<{ bucket_start: Date; imp_wh: number; p_imp_n: number }>`
      SELECT bucket_start, imp_wh, p_imp_n FROM rollup_hour WHERE device_id = ${d.id} ORDER BY bucket_start`.execute(ctx.t.db);
    // 2 kWh spread over the hour before the list 3; the power of that second counted once.
    expect(hours.rows).toEqual([
      { bucket_start: new Date(at.getTime() - 3_600_000), imp_wh: 2000, p_imp_n: 0 },
      { bucket_start: at, imp_wh: 0, p_imp_n: 1 },
    ]);
    const day = await sql<{ imp_wh: number }>`SELECT SUM(imp_wh) AS imp_wh FROM rollup_day WHERE device_id = ${d.id}`.execute(ctx.t.db);
    expect(Number(day.rows[0]!.imp_wh)).toBe(2000);
  });

  it('never overwrites a stored value; both parts in one request give stored then merged', async () => {
    const d = await addDevice(ctx.t, { name: 'kaifa-merge-one', timeZone: ZONE, country: 'NO' });
    const first = { ...jsonBody(list2), powerImportW: 100 };
    const res = await postJson(d.key, [first, jsonBody(list3), jsonBody(list3)]);
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ accepted: 1, merged: 1, duplicates: 1, results: [{ status: 'stored' }, { status: 'merged' }, { status: 'duplicate' }] });
    await expectStored(ctx.t, d.id, { ...list3, raw: [], values: { ...list3.values, powerImportW: 100 } });
  });

  it('a row another writer holds uncommitted makes our transaction wait at its device lock, then merge without running again', async () => {
    const d = await addDevice(ctx.t, { name: 'kaifa-race', timeZone: ZONE, country: 'NO' });
    const other = await createConnection({ ...ctx.t.connection, timezone: 'Z' });
    try {
      // The other writer holds its list 2 row uncommitted (and, through the foreign key, its device row): our transaction waits at the device lock.
      await other.query('BEGIN');
      await other.query('INSERT INTO reading (device_id, meter_time, received_at, source, power_import_w) VALUES (?, ?, ?, 1, 215)', [d.id, at, new Date()]);
      const p = prepareReading(list3, { deviceId: d.id, receivedAt: new Date(), source: 'han' });
      if (!('ok' in p)) throw new Error('capture refused');
      const queue = new WriteQueue(ctx.t.db, { maxRows: 100, maxBatchRows: 100, lingerMs: 0, maxWaitMs: 60_000 });
      const outcome = queue.enqueue([p.ok]);
      // Wait until our transaction is waiting on the other writer's lock.
      for (let i = 0; i < 500; i++) {
        const [running] = await other.query("SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE DB = ? AND INFO LIKE 'SELECT id FROM device WHERE id IN%FOR UPDATE'", [ctx.t.connection.database]);
        if (Number((running as { n: number }[])[0]!.n) > 0) break;
        await new Promise((r) => setTimeout(r, 10));
      }
      await other.query('COMMIT');
      expect(await outcome).toEqual(['merged']);
      // The device lock comes before any read, so the other writer's row is seen at once: no re-run.
      expect(queue.stats.failedTransactions).toBe(0);
      await queue.close();
    } finally {
      await other.end();
    }
    await expectStored(ctx.t, d.id, { ...list3, values: { ...list3.values } });
  });
});
