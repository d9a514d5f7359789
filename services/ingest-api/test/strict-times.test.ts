import { describe, expect, it } from 'vitest';
import { addDevice, bearer, useTestApp } from './test-app.ts';

const ctx = useTestApp();

const post = (key: string, payload: unknown) => ctx.app.inject({ method: 'POST', url: '/api/v1/readings', headers: bearer(key), payload: payload as object });

describe('strict meter times over HTTP', () => {
  it('refuses a calendar-invalid or implausible time alone, with a reason; the valid readings of the request are stored', async () => {
    const d = await addDevice(ctx.t);
    const res = await post(d.key, [
      { time: '2026-11-21T10:00:00Z', energyImportKwh: 1 },
      { time: '2026-13-45T25:61:61Z', energyImportKwh: 2 },
      { time: '0050-06-01T00:00:00Z', energyImportKwh: 3 },
      { time: '2026-11-21T10:01:00Z', energyImportKwh: 4, mbus: [{ channel: 1, value: 5, capturedAt: '0050-06-01T00:00:00Z' }] },
      { time: '2026-11-21T10:02:00Z', energyImportKwh: 6 },
    ]);
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({
      accepted: 2,
      rejected: 3,
      results: [
        { status: 'stored' },
        { status: 'rejected', code: 'invalid_time', meterTime: null },
        { status: 'rejected', code: 'implausible_time', meterTime: '0050-06-01T00:00:00.000Z' },
        { status: 'rejected', code: 'implausible_time' },
        { status: 'stored' },
      ],
    });
    const rows = await ctx.t.db.selectFrom('reading').select('energy_import_wh').orderBy('meter_time').execute();
    expect(rows.map((r) => r.energy_import_wh)).toEqual([1000, 6000]);
    expect(await ctx.t.db.selectFrom('mbus_reading').selectAll().execute()).toEqual([]);
  });

  it('answers 422 with the reason when the only reading has an implausible time, as often as it is posted', async () => {
    const d = await addDevice(ctx.t);
    for (let i = 0; i < 2; i++) {
      const res = await post(d.key, { time: '0050-06-01T00:00:00Z', energyImportKwh: 3 });
      expect(res.statusCode).toBe(422);
      expect(res.json().error).toMatchObject({ code: 'reading_rejected', message: expect.stringContaining('before 2000-01-01') });
    }
    const ahead = await post(d.key, { time: Date.now() + 2 * 86_400_000, energyImportKwh: 3 });
    expect(ahead.statusCode).toBe(422);
    expect(ahead.json().error.details.results[0].code).toBe('future_time');
    expect(await ctx.t.db.selectFrom('reading').selectAll().execute()).toEqual([]);
  });

  it('honours a configured floor', async () => {
    const { testApp } = await import('./test-app.ts');
    const app = await testApp(ctx.t, { SEM_TIME_FLOOR: '2020-01-01', SEM_TIME_MAX_AHEAD_S: '60' });
    try {
      const d = await addDevice(ctx.t);
      const old = await app.inject({ method: 'POST', url: '/api/v1/readings', headers: bearer(d.key), payload: { time: '2019-12-31T23:00:00Z', powerImportW: 1 } });
      expect(old.statusCode).toBe(422);
      const ahead = await app.inject({ method: 'POST', url: '/api/v1/readings', headers: bearer(d.key), payload: { time: Date.now() + 120_000, powerImportW: 1 } });
      expect(ahead.statusCode).toBe(422);
    } finally {
      await app.close();
    }
  });

  it('answers 400, not 500, for a calendar-invalid range on GET', async () => {
    const d = await addDevice(ctx.t);
    const res = await ctx.app.inject({ method: 'GET', url: '/api/v1/readings?from=2026-02-30T00:00:00Z&to=2026-03-02T00:00:00Z', headers: bearer(d.key) });
    expect(res.statusCode).toBe(400);
  });
});
