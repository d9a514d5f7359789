import { describe, expect, it } from 'vitest';
import { localDayStartAt } from '@sem/ingest';
import { addDevice, bearer, useTestApp } from './test-app.ts';

const ctx = useTestApp();

const get = (key: string, query: string) => ctx.app.inject({ method: 'GET', url: `/api/v1/readings?${query}`, headers: bearer(key) });

async function seed(key: string, start: number, count: number, stepS: number) {
  const batch = Array.from({ length: count }, (_, i) => ({
    time: start + i * stepS * 1000,
    powerImportW: 100 * (i % 3),
    energyImportKwh: 1000 + i * 0.001,
    voltageL1V: 230 + (i % 2),
  }));
  const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/readings', headers: bearer(key), payload: batch });
  expect(res.statusCode).toBe(201);
}

describe('GET /api/v1/readings', () => {
  it('returns the raw readings of the calling device only', async () => {
    const a = await addDevice(ctx.t);
    const b = await addDevice(ctx.t);
    const start = Date.parse('2026-01-15T10:00:00Z');
    await seed(a.key, start, 4, 10);
    await seed(b.key, start, 2, 10);
    const res = await get(a.key, 'from=2026-01-15T10:00:00Z&to=2026-01-15T11:00:00Z');
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.readings).toHaveLength(4);
    expect(body.readings[1]).toEqual({ time: '2026-01-15T10:00:10.000Z', powerImportW: 100, energyImportKwh: 1000.001, voltageL1V: 231 });
    expect((await get(b.key, 'from=2026-01-15T10:00:00Z&to=2026-01-15T11:00:00Z')).json().readings).toHaveLength(2);
  });

  it("cannot reach another device's data: no device can be named, and the same meter time stays each device's own", async () => {
    const a = await addDevice(ctx.t);
    const b = await addDevice(ctx.t);
    const range = 'from=2026-01-15T10:00:00Z&to=2026-01-15T11:00:00Z';
    const post = (key: string, body: object) => ctx.app.inject({ method: 'POST', url: '/api/v1/readings', headers: bearer(key), payload: body });
    expect((await post(a.key, { time: '2026-01-15T10:00:00Z', powerImportW: 1 })).json()).toMatchObject({ accepted: 1 });
    // b writing the same meter time is b's own first reading, not a's duplicate
    expect((await post(b.key, { time: '2026-01-15T10:00:00Z', powerImportW: 2 })).json()).toMatchObject({ accepted: 1, duplicates: 0 });
    expect((await post(b.key, { time: '2026-01-15T10:00:01Z', powerImportW: 3, deviceId: a.id })).json().error.details.path).toBe('body/0/deviceId');
    for (const param of [`device=${a.name}`, `deviceId=${a.id}`]) {
      const res = await get(b.key, `${range}&${param}`);
      expect(res.statusCode).toBe(400);
      expect(res.json().error.details.path).toBe(`querystring/${param.split('=')[0]}`);
    }
    expect((await get(a.key, range)).json().readings).toEqual([{ time: '2026-01-15T10:00:00.000Z', powerImportW: 1 }]);
    expect((await get(b.key, range)).json().readings).toEqual([{ time: '2026-01-15T10:00:00.000Z', powerImportW: 2 }]);
  });

  it('aggregates: averages for instantaneous values, last value for registers', async () => {
    const d = await addDevice(ctx.t);
    const start = Date.parse('2026-01-15T10:00:00Z');
    await seed(d.key, start, 12, 10);
    const res = await get(d.key, 'from=2026-01-15T10:00:00%2B00:00&to=2026-01-15T10:02:00Z&resolution=1m');
    const [m0, m1] = res.json().readings;
    expect(m0).toEqual({ time: '2026-01-15T10:00:00.000Z', samples: 6, powerImportW: 100, energyImportKwh: 1000.005, voltageL1V: 230.5 });
    expect(m1).toMatchObject({ time: '2026-01-15T10:01:00.000Z', samples: 6, energyImportKwh: 1000.011 });
  });

  it('groups 1d by the local day of the device', async () => {
    const d = await addDevice(ctx.t, { timeZone: 'Europe/Brussels' });
    // 22:30 UTC on 15 Jan is 23:30 local; 23:30 UTC is 00:30 on the 16th in Brussels.
    await seed(d.key, Date.parse('2026-01-15T22:30:00Z'), 2, 3600);
    const days = (await get(d.key, 'from=2026-01-14T00:00:00Z&to=2026-01-18T00:00:00Z&resolution=1d')).json().readings;
    expect(days.map((x: { time: string; samples: number }) => [x.time, x.samples])).toEqual([
      ['2026-01-14T23:00:00.000Z', 1],
      ['2026-01-15T23:00:00.000Z', 1],
    ]);
    expect(new Date(localDayStartAt(Date.parse('2026-03-29T12:00:00Z'), 'Europe/Brussels')).toISOString()).toBe('2026-03-28T23:00:00.000Z');
    expect(new Date(localDayStartAt(Date.parse('2026-10-25T12:00:00Z'), 'Europe/Brussels')).toISOString()).toBe('2026-10-24T22:00:00.000Z');
  });

  it('answers CSV with format=csv', async () => {
    const d = await addDevice(ctx.t);
    await seed(d.key, Date.parse('2026-01-15T10:00:00Z'), 2, 1);
    const res = await get(d.key, 'from=2026-01-15T10:00:00Z&to=2026-01-15T11:00:00Z&format=csv');
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.body).toBe(
      'time,energyImportKwh,powerImportW,voltageL1V\r\n2026-01-15T10:00:00.000Z,1000,0,230\r\n2026-01-15T10:00:01.000Z,1000.001,100,231\r\n',
    );
  });

  it('answers 400 with the path for a bad query and 401 without a key', async () => {
    const d = await addDevice(ctx.t);
    const bad = await get(d.key, 'from=yesterday&to=2026-01-15T11:00:00Z');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details.path).toBe('querystring/from');
    const res = await get(d.key, 'from=2026-01-15T10:00:00Z&to=2026-01-15T11:00:00Z&resolution=5m');
    expect(res.json().error.details.path).toBe('querystring/resolution');
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/readings?from=2026-01-15T10:00:00Z&to=2026-01-15T11:00:00Z' })).statusCode).toBe(401);
  });
});
