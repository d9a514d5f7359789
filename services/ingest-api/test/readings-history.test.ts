/**
 * GET /api/v1/readings past the raw retention (answered from the rollups) and in pages. The story:
 * 2026-01-15 10:00:00-11:59:50Z, a reading every 10 s: power 100/200/300 W in turn, voltage 230/231 V
 * in turn, the import register +1 Wh a reading; then the retention job cuts raw rows before 11:00.
 */
import { describe, expect, it } from 'vitest';
import { purgeRawReadings } from '@sem/ingest';
import { addDevice, bearer, useTestApp } from './test-app.ts';

const ctx = useTestApp({}, ['rollup_minute', 'rollup_quarter', 'rollup_hour', 'rollup_day', 'rollup_purge']);
const START = Date.parse('2026-01-15T10:00:00Z');

async function story(): Promise<string> {
  const d = await addDevice(ctx.t, { timeZone: 'Europe/Brussels' });
  const batch = Array.from({ length: 720 }, (_, i) => ({
    time: START + i * 10_000,
    powerImportW: 100 * (1 + (i % 3)),
    voltageL1V: 230 + (i % 2),
    energyImportKwh: 1000 + i * 0.001,
  }));
  const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/readings', headers: bearer(d.key), payload: batch });
  expect(res.json()).toMatchObject({ accepted: 720 });
  await purgeRawReadings(ctx.t.db, { before: new Date('2026-01-15T11:00:00Z') });
  return d.key;
}

const get = (key: string, query: string) => ctx.app.inject({ method: 'GET', url: `/api/v1/readings?${query}`, headers: bearer(key) });
const RANGE = 'from=2026-01-15T10:00:00Z&to=2026-01-15T12:00:00Z';

describe('history past the raw retention', () => {
  it('answers hours from the rollups before the cut and from raw rows after it', async () => {
    const key = await story();
    const body = (await get(key, `${RANGE}&resolution=1h`)).json();
    expect(body.next).toBeNull();
    const [h10, h11] = body.readings;
    expect(h10).toEqual({
      time: '2026-01-15T10:00:00.000Z',
      source: 'rollup',
      powerImportW: 200,
      voltageL1V: 230.5,
      min: { powerImportW: 100, voltageL1V: 230 },
      max: { powerImportW: 300, voltageL1V: 231 },
      used: { energyImportKwh: 0.36 }, // 360 steps of 1 Wh up to the reading at 11:00:00
    });
    expect(h11).toMatchObject({ time: '2026-01-15T11:00:00.000Z', samples: 360, powerImportW: 200, energyImportKwh: 1000.719 });
    expect(h11.source).toBeUndefined();
  });

  it('answers raw past the cut in minutes (the finest rollup), quarters with their energy, and local days', async () => {
    const key = await story();
    const raw = (await get(key, `${RANGE}&resolution=raw`)).json().readings;
    expect(raw).toHaveLength(60 + 360);
    // Each minute used 6 Wh: the steps ending at :10 … :60 (a reading on the minute closes the minute before).
    expect(raw[0]).toEqual({ time: '2026-01-15T10:00:00.000Z', source: 'rollup', powerImportW: 200, voltageL1V: 230.5, min: { powerImportW: 100, voltageL1V: 230 }, max: { powerImportW: 300, voltageL1V: 231 }, used: { energyImportKwh: 0.006 } });
    expect(raw[59]).toMatchObject({ time: '2026-01-15T10:59:00.000Z', used: { energyImportKwh: 0.006 } });
    expect(raw.slice(0, 60).every((m: any) => m.used?.energyImportKwh === 0.006)).toBe(true);
    const minutes = (await get(key, 'from=2026-01-15T10:00:00Z&to=2026-01-15T10:02:00Z&resolution=1m')).json().readings;
    expect(minutes.map((m: any) => [m.time, m.used])).toEqual([
      ['2026-01-15T10:00:00.000Z', { energyImportKwh: 0.006 }],
      ['2026-01-15T10:01:00.000Z', { energyImportKwh: 0.006 }],
    ]);
    expect(raw[60]).toEqual({ time: '2026-01-15T11:00:00.000Z', powerImportW: 100, voltageL1V: 230, energyImportKwh: 1000.36 });
    const quarters = (await get(key, 'from=2026-01-15T10:00:00Z&to=2026-01-15T11:00:00Z&resolution=15m')).json().readings;
    expect(quarters.map((q: any) => [q.time, q.source, q.powerImportW, q.used.energyImportKwh])).toEqual([
      ['2026-01-15T10:00:00.000Z', 'rollup', 200, 0.09],
      ['2026-01-15T10:15:00.000Z', 'rollup', 200, 0.09],
      ['2026-01-15T10:30:00.000Z', 'rollup', 200, 0.09],
      ['2026-01-15T10:45:00.000Z', 'rollup', 200, 0.09],
    ]);
    // The local day (from 23:00Z) holds the cut, so it comes whole from the rollups; any range is accepted.
    const days = (await get(key, 'from=1970-01-01T00:00:00Z&to=9999-12-31T00:00:00Z&resolution=1d')).json();
    expect(days.readings).toEqual([
      { time: '2026-01-14T23:00:00.000Z', source: 'rollup', powerImportW: 200, voltageL1V: 230.5, min: { powerImportW: 100, voltageL1V: 230 }, max: { powerImportW: 300, voltageL1V: 231 }, used: { energyImportKwh: 0.719 } },
    ]);
  });
});

describe('pages', () => {
  it('continues with `next` until every reading was answered once, in order', async () => {
    const key = await story();
    const seen: string[] = [];
    let url: string | null = `/api/v1/readings?${RANGE}&resolution=raw&limit=50`;
    let pages = 0;
    while (url) {
      const res: { statusCode: number; body: string } = await ctx.app.inject({ method: 'GET', url, headers: bearer(key) });
      expect(res.statusCode, res.body).toBe(200);
      const body: { readings: { time: string }[]; next: string | null; truncated: boolean } = JSON.parse(res.body);
      expect(body.readings.length).toBeLessThanOrEqual(50);
      expect(body.truncated).toBe(body.next !== null);
      seen.push(...body.readings.map((r: { time: string }) => r.time));
      url = body.next;
      pages++;
    }
    expect(pages).toBe(9); // 420 readings by 50
    expect(seen).toHaveLength(420);
    expect([...seen].sort()).toEqual(seen);
    expect(new Set(seen).size).toBe(420);
  });

  it('pages CSV through the Link header, with min, max and used as columns', async () => {
    const key = await story();
    const res = await get(key, `${RANGE}&resolution=15m&format=csv&limit=5`);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['x-sem-truncated']).toBe('true');
    const link = /^<([^>]+)>; rel="next"$/.exec(String(res.headers['link']))![1]!;
    expect(link).toBe('/api/v1/readings?from=2026-01-15T11%3A15%3A00.000Z&to=2026-01-15T12%3A00%3A00.000Z&resolution=15m&format=csv&limit=5');
    const lines = res.body.trim().split('\r\n');
    expect(lines[0]).toBe('time,samples,source,energyImportKwh,powerImportW,voltageL1V,max.powerImportW,max.voltageL1V,min.powerImportW,min.voltageL1V,used.energyImportKwh');
    expect(lines[1]).toBe('2026-01-15T10:00:00.000Z,,rollup,,200,230.5,300,231,100,230,0.09');
    expect(lines[5]).toBe('2026-01-15T11:00:00.000Z,90,,1000.449,200,230.5,,,,,');
    const last = await ctx.app.inject({ method: 'GET', url: link, headers: bearer(key) });
    expect(last.body.trim().split('\r\n')).toHaveLength(1 + 3);
    expect(last.headers['link']).toBeUndefined();
  });

  it('refuses a limit outside 1..10000', async () => {
    const key = await story();
    for (const limit of ['0', '10001', 'many']) {
      const res = await get(key, `${RANGE}&limit=${limit}`);
      expect(res.statusCode).toBe(400);
      expect(res.json().error.details.path).toBe('querystring/limit');
    }
  });
});
