import { describe, expect, it } from 'vitest';
import { revokeKeys } from '../src/devices/devices.service.ts';
import { addDevice, bearer, useTestApp } from './test-app.ts';

const ctx = useTestApp({ SEM_BODY_LIMIT_BYTES: '4096' });

const post = (key: string, payload: unknown, headers: Record<string, string> = {}) =>
  ctx.app.inject({ method: 'POST', url: '/api/v1/readings', headers: { ...bearer(key), ...headers }, payload: payload as object });

describe('POST /api/v1/readings', () => {
  it('stores one reading in typed integer columns at meter resolution', async () => {
    const d = await addDevice(ctx.t);
    const res = await post(d.key, {
      time: '2026-11-21T10:00:00+01:00',
      energyImportT1Kwh: 1234.567,
      powerImportW: 1530,
      voltageL1V: 231.4,
      currentL1A: 6.52,
      powerFactor: 0.987,
      mbus: [{ channel: 1, value: 112.384, unit: 'm3', deviceType: 3, capturedAt: '2026-11-21T08:55:00Z' }],
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ accepted: 1, duplicates: 0, rejected: 0, results: [{ index: 0, status: 'stored', meterTime: '2026-11-21T09:00:00.000Z' }] });
    const row = await ctx.t.db.selectFrom('reading').selectAll().where('device_id', '=', d.id).executeTakeFirstOrThrow();
    expect(row.meter_time.toISOString()).toBe('2026-11-21T09:00:00.000Z');
    expect(row).toMatchObject({ energy_import_t1_wh: 1234567, power_import_w: 1530, voltage_l1_dv: 2314, current_l1_ca: 652, power_factor_milli: 987, energy_import_wh: null });
    const gas = await ctx.t.db.selectFrom('mbus_reading').selectAll().executeTakeFirstOrThrow();
    expect(gas).toMatchObject({ channel: 1, device_type: 3, value: '112.3840', unit: 'm3' });
    expect(gas.captured_at.toISOString()).toBe('2026-11-21T08:55:00.000Z');
  });

  it('accepts X-API-Key and epoch milliseconds, and a batch in one request', async () => {
    const d = await addDevice(ctx.t);
    const base = Date.parse('2026-11-21T00:00:00Z');
    const batch = Array.from({ length: 5 }, (_, i) => ({ time: base + i * 1000, powerImportW: 100 + i }));
    const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/readings', headers: { 'x-api-key': d.key }, payload: batch });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ accepted: 5, duplicates: 0 });
    const rows = await ctx.t.db.selectFrom('reading').select(['meter_time', 'power_import_w']).orderBy('meter_time').execute();
    expect(rows.map((r) => r.power_import_w)).toEqual([100, 101, 102, 103, 104]);
  });

  it('stores the same device + meter time once and reports the duplicate', async () => {
    const d = await addDevice(ctx.t);
    const r = { time: '2026-11-21T09:00:00Z', powerImportW: 1 };
    expect((await post(d.key, r)).json()).toMatchObject({ accepted: 1, duplicates: 0 });
    const again = await post(d.key, [r, { ...r, powerImportW: 2 }, { time: '2026-11-21T09:00:01Z', powerImportW: 3 }]);
    expect(again.statusCode).toBe(201);
    expect(again.json()).toMatchObject({ accepted: 1, duplicates: 2 });
    expect(again.json().results.map((x: { status: string }) => x.status)).toEqual(['duplicate', 'duplicate', 'stored']);
    const rows = await ctx.t.db.selectFrom('reading').select('power_import_w').orderBy('meter_time').execute();
    expect(rows.map((x) => x.power_import_w)).toEqual([1, 3]);
  });

  it('uses the receive time when a reading has no time', async () => {
    const d = await addDevice(ctx.t);
    const before = Date.now();
    const res = await post(d.key, { powerImportW: 5 });
    expect(res.statusCode).toBe(201);
    const row = await ctx.t.db.selectFrom('reading').select(['meter_time', 'received_at']).executeTakeFirstOrThrow();
    expect(row.meter_time.getTime()).toBe(row.received_at.getTime());
    expect(row.meter_time.getTime()).toBeGreaterThanOrEqual(before);
  });

  it('keeps several readings without time in one request apart: receive time plus their position in ms', async () => {
    const d = await addDevice(ctx.t);
    const res = await post(d.key, [{ powerImportW: 1 }, { time: '2026-11-21T09:00:00Z', powerImportW: 2 }, { powerImportW: 3 }, { powerImportW: 3 }]);
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ accepted: 4, duplicates: 0 });
    const rows = await ctx.t.db.selectFrom('reading').select(['meter_time', 'received_at', 'power_import_w']).where('device_id', '=', d.id).where('power_import_w', '<>', 2).orderBy('meter_time').execute();
    expect(rows.map((r) => [r.meter_time.getTime() - r.received_at.getTime(), r.power_import_w])).toEqual([[0, 1], [1, 3], [2, 3]]);
  });

  it('rejects a reading more than a day ahead by itself; the rest of the batch lands', async () => {
    const d = await addDevice(ctx.t);
    const future = new Date(Date.now() + 25 * 3600_000).toISOString();
    const res = await post(d.key, [{ time: '2026-11-21T09:00:00Z', powerImportW: 1 }, { time: future, powerImportW: 2 }]);
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ accepted: 1, rejected: 1, results: [{ status: 'stored' }, { index: 1, status: 'rejected', code: 'future_time' }] });
    const alone = await post(d.key, { time: future, powerImportW: 2 });
    expect(alone.statusCode).toBe(422);
    expect(alone.json().error.code).toBe('reading_rejected');
    expect(await ctx.t.db.selectFrom('reading').select('power_import_w').execute()).toEqual([{ power_import_w: 1 }]);
  });

  it('answers 400 with the path of the bad field', async () => {
    const d = await addDevice(ctx.t);
    const res = await post(d.key, [{ time: '2026-11-21T09:00:00Z' }, { time: '2026-11-21T09:00:01Z', voltageL1V: 'high' }]);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: { code: 'bad_request', details: { path: 'body/1/voltageL1V' } } });
    const unknown = await post(d.key, { time: '2026-11-21T09:00:00Z', energyImportKWh: 1 });
    expect(unknown.json()).toMatchObject({ error: { code: 'bad_request', details: { path: 'body/0/energyImportKWh' } } });
    const noOffset = await post(d.key, { time: '2026-11-21T09:00:00' });
    expect(noOffset.json().error.details.path).toBe('body/0/time');
    const tooBig = await post(d.key, { powerImportW: 20_000_000 });
    expect(tooBig.json().error.details.path).toBe('body/0/powerImportW');
    expect(await ctx.t.db.selectFrom('reading').select('device_id').execute()).toEqual([]);
  });

  it('answers 401 for a missing, unknown or revoked key', async () => {
    const d = await addDevice(ctx.t);
    const none = await ctx.app.inject({ method: 'POST', url: '/api/v1/readings', payload: { powerImportW: 1 } });
    expect(none.statusCode).toBe(401);
    expect(none.json().error.code).toBe('unauthorized');
    expect((await post('sem_nope', { powerImportW: 1 })).statusCode).toBe(401);
    await revokeKeys(ctx.t.db, d.id);
    expect((await post(d.key, { powerImportW: 1 })).statusCode).toBe(401);
  });

  it('answers 415 for a text body and 413 over the body limit', async () => {
    const d = await addDevice(ctx.t);
    const text = await ctx.app.inject({ method: 'POST', url: '/api/v1/readings', headers: { ...bearer(d.key), 'content-type': 'text/plain' }, payload: 'powerImportW=1' });
    expect(text.statusCode).toBe(415);
    expect(text.json().error.code).toBe('unsupported_media_type');
    const big = Array.from({ length: 200 }, (_, i) => ({ time: 1_700_000_000_000 + i, powerImportW: i }));
    const res = await post(d.key, big);
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe('payload_too_large');
  });
});
