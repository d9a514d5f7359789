import { describe, expect, it } from 'vitest';
import { LEGACY_KEY_LENGTH } from '@sem/ingest';
import { addDevice, useTestApp } from './test-app.ts';

const ctx = useTestApp();

/** printf with the firmware's exact format string (%.1f / %.3f). */
function firmwareBody(key: string, v: number[]): string {
  const f1 = (x: number) => x.toFixed(1);
  const f3 = (x: number) => x.toFixed(3);
  const [UL1, UL2, UL3, IL1, IL2, IL3, Pcl, Pch, Ppl, Pph, Pc, Pp, Vg, Vw] = v as [number, number, number, number, number, number, number, number, number, number, number, number, number, number];
  return `api_key=${key}&UL1=${f1(UL1)}&UL2=${f1(UL2)}&UL3=${f1(UL3)}&IL1=${f1(IL1)}&IL2=${f1(IL2)}&IL3=${f1(IL3)}&Pcl=${f3(Pcl)}&Pch=${f3(Pch)}&Ppl=${f3(Ppl)}&Pph=${f3(Pph)}&Pc=${f3(Pc)}&Pp=${f3(Pp)}&Vg=${f3(Vg)}&Vw=${f3(Vw)}`;
}

const post = (payload: string) =>
  ctx.app.inject({ method: 'POST', url: '/post-data.php', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload });

describe('POST /post-data.php (SEM ESP32 firmware)', () => {
  it('issues legacy keys that fit the firmware field', async () => {
    const d = await addDevice(ctx.t, { keyFormat: 'legacy' });
    expect(d.key.length).toBeLessThanOrEqual(19);
    expect(d.key.length).toBe(LEGACY_KEY_LENGTH);
    expect(d.key).toMatch(/^[A-Za-z0-9]+$/);
  });

  it('stores the exact firmware body: kW -> W, Ppl/Pph as their meter objects, -1 absent, receive time', async () => {
    const d = await addDevice(ctx.t, { keyFormat: 'legacy' });
    const body = firmwareBody(d.key, [234.7, 233.1, -1, 1.2, 0.4, -1, 15.758, 0.034, 0.011, 2.5, 1.234, 0, 112.384, -1]);
    expect(body).toContain('&UL3=-1.0&');
    expect(body).toContain('&Vw=-1.000');
    const before = Date.now();
    const res = await post(body);
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ accepted: 1, duplicates: 0, rejected: 0 });
    const row = await ctx.t.db.selectFrom('reading').selectAll().where('device_id', '=', d.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      source: 4,
      voltage_l1_dv: 2347,
      voltage_l2_dv: 2331,
      voltage_l3_dv: null,
      current_l1_ca: 120,
      current_l2_ca: 40,
      current_l3_ca: null,
      energy_import_t2_wh: 15758,
      energy_import_t1_wh: 34,
      energy_export_t1_wh: 11,
      energy_export_t2_wh: 2500,
      power_import_w: 1234,
      power_export_w: 0,
    });
    expect(row.meter_time.getTime()).toBe(row.received_at.getTime());
    expect(row.meter_time.getTime()).toBeGreaterThanOrEqual(before);
    const mbus = await ctx.t.db.selectFrom('mbus_reading').selectAll().execute();
    expect(mbus.map((m) => [m.channel, m.device_type, m.value, m.unit])).toEqual([[1, 3, '112.3840', 'm3']]);
  });

  it('answers 401 for a wrong or missing key and 400 for bad data', async () => {
    const d = await addDevice(ctx.t, { keyFormat: 'legacy' });
    const values = [230, 230, 230, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1];
    const wrong = await post(firmwareBody('WRONGKEY0123456789a', values));
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error.code).toBe('unauthorized');
    expect((await post('UL1=230.0')).statusCode).toBe(401);
    const bad = await post(firmwareBody(d.key, values).replace('UL2=230.0', 'UL2=nan'));
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details.path).toBe('body/UL2');
    const json = await ctx.app.inject({ method: 'POST', url: '/post-data.php', payload: { api_key: d.key } });
    expect(json.statusCode).toBe(415);
    expect(await ctx.t.db.selectFrom('reading').select('device_id').execute()).toEqual([]);
  });
});
