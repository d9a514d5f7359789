import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parsePriceFile } from '../src/admin/tariffs/price-file.ts';
import { ADMIN_TOKEN, addDevice, bearer, useTestApp } from './test-app.ts';
import { dbConnectionEnv } from '@sem/db/testing';

const run = promisify(execFile);
const CLI = fileURLToPath(new URL('../src/cli/tariffs.ts', import.meta.url));
const ctx = useTestApp();

const admin = (method: 'GET' | 'PUT' | 'DELETE', url: string, payload?: object) =>
  ctx.app.inject({ method, url, headers: bearer(ADMIN_TOKEN), ...(payload ? { payload } : {}) });

function cliEnv(): Record<string, string> {
  const c = ctx.t.connection;
  return { PATH: process.env.PATH ?? '', ...dbConnectionEnv(c) };
}
async function cli(...args: string[]): Promise<{ json: any; stderr: string }> {
  const { stdout, stderr } = await run(process.execPath, [CLI, ...args, '--json'], { env: cliEnv() });
  return { json: JSON.parse(stdout), stderr };
}

/** An ENTSO-E A44 document (synthetic): one day of 23 hourly prices (2026-03-29, CET -> CEST), position 3 left out. */
function entsoeXml(): string {
  const points = Array.from({ length: 23 }, (_, i) => i + 1)
    .filter((p) => p !== 3)
    .map((p) => `<Point><position>${p}</position><price.amount>${(100 + p).toFixed(2)}</price.amount></Point>`)
    .join('');
  return `<?xml version="1.0" encoding="utf-8"?>
<Publication_MarketDocument xmlns="urn:iec62325.351:tc57wg16:451-3:publicationdocument:7:3">
  <type>A44</type>
  <TimeSeries><mRID>1</mRID><currency_Unit.name>EUR</currency_Unit.name><price_Measure_Unit.name>MWH</price_Measure_Unit.name><curveType>A03</curveType>
    <Period><timeInterval><start>2026-03-28T23:00Z</start><end>2026-03-29T22:00Z</end></timeInterval><resolution>PT60M</resolution>${points}</Period>
  </TimeSeries>
</Publication_MarketDocument>`;
}

describe('price files', () => {
  it('read a time,price CSV (hourly or quarter-hourly; per kWh or MWh)', () => {
    const hourly = parsePriceFile('time,price\n2026-03-29T00:00:00+01:00,0.25\n2026-03-29T01:00:00+01:00,0.20\n2026-03-29T03:00:00+02:00,0.30\n');
    expect(hourly.map((p) => [new Date(p.startMs).toISOString(), p.minutes, p.pricePerKwh])).toEqual([
      ['2026-03-28T23:00:00.000Z', 60, 0.25],
      ['2026-03-29T00:00:00.000Z', 60, 0.2],
      ['2026-03-29T01:00:00.000Z', 60, 0.3],
    ]);
    const quarters = parsePriceFile('2026-01-01T00:00:00Z;85,5\n2026-01-01T00:15:00Z;90\n', { per: 'mwh' });
    expect(quarters.map((p) => [p.minutes, p.pricePerKwh])).toEqual([[15, 0.0855], [15, 0.09]]);
  });

  it('refuse what they cannot read, naming the line', () => {
    expect(() => parsePriceFile('2026-03-29 00:00,0.25\n')).toThrow(/line 1: time must be ISO 8601 with an offset/);
    expect(() => parsePriceFile('2026-03-29T00:00Z,abc\n')).toThrow(/line 1: price "abc"/);
    expect(() => parsePriceFile('2026-03-29T00:00Z,1\n2026-03-29T00:05Z,1\n')).toThrow(/15 or 60 minutes/);
    expect(() => parsePriceFile('1970-01-01T00:00Z,1\n')).toThrow(/2000-2099/);
    expect(() => parsePriceFile('9999-01-01T00:00Z,1\n')).toThrow(/2000-2099/);
    expect(() => parsePriceFile('2026-03-29T00:00Z,1e9\n')).toThrow(/not a number/);
    expect(() => parsePriceFile('2026-03-29T00:00Z,1\n2026-03-29T00:00Z,2\n')).toThrow(/same time/);
    expect(() => parsePriceFile('')).toThrow(/no prices/);
  });

  it('read ENTSO-E XML: 23 hours on the spring DST day, a left-out position repeats the previous price', () => {
    const points = parsePriceFile(entsoeXml());
    expect(points).toHaveLength(23);
    expect(points[0]).toEqual({ startMs: Date.parse('2026-03-28T23:00:00Z'), minutes: 60, pricePerKwh: 0.101 });
    expect(points[2]!.pricePerKwh).toBe(0.102);
    expect(new Date(points[22]!.startMs).toISOString()).toBe('2026-03-29T21:00:00.000Z');
    expect(() => parsePriceFile(entsoeXml().replace('MWH', 'KWH'))).toThrow(/expected MWH/);
    expect(() => parsePriceFile(entsoeXml().replace('PT60M', 'PT30M'))).toThrow(/PT15M or PT60M/);
  });

  it('read the ENTSO-E CSV export in CET/CEST, the repeated autumn hour in order', () => {
    const rows = ['"MTU (CET/CEST)","Day-ahead Price [EUR/MWh]","Currency","BZN|BE"'];
    const hours = ['00', '01', '02', '02', '03'];
    hours.forEach((h, i) => rows.push(`"25.10.2026 ${h}:00 - 25.10.2026 ${String((Number(h) + 1) % 24).padStart(2, '0')}:00","${50 + i}","EUR",""`));
    rows.push('"25.10.2026 04:00 - 25.10.2026 05:00","n/e","EUR",""');
    const points = parsePriceFile(rows.join('\n'));
    expect(points.map((p) => [new Date(p.startMs).toISOString(), p.minutes, p.pricePerKwh])).toEqual([
      ['2026-10-24T22:00:00.000Z', 60, 0.05],
      ['2026-10-24T23:00:00.000Z', 60, 0.051],
      ['2026-10-25T00:00:00.000Z', 60, 0.052],
      ['2026-10-25T01:00:00.000Z', 60, 0.053],
      ['2026-10-25T02:00:00.000Z', 60, 0.054],
    ]);
    const marked = parsePriceFile('"MTU (CET/CEST)","Day-ahead Price [EUR/MWh]"\n"25.10.2026 02:00 (CET) - 25.10.2026 03:00 (CET)","60"\n');
    expect(new Date(marked[0]!.startMs).toISOString()).toBe('2026-10-25T01:00:00.000Z');
    const spring = parsePriceFile('"MTU (CET/CEST)","Day-ahead Price [EUR/MWh]"\n"29.03.2026 01:00 - 29.03.2026 03:00","60"\n');
    expect(spring.map((p) => [new Date(p.startMs).toISOString(), p.minutes])).toEqual([['2026-03-29T00:00:00.000Z', 60]]);
    expect(() => parsePriceFile('"MTU (CET/CEST)","Day-ahead Price [EUR/MWh]"\n"29.03.2026 02:00 - 29.03.2026 03:00","60"\n')).toThrow(/does not exist/);
  });
});

const BE_TARIFF = {
  importPrices: { day: 0.3, night: 0.2, weekend: 0.18 },
  dayHours: { start: 7, end: 22 },
  exportPrice: 0.04,
  fixedMonthlyFee: 9.5,
  capacity: { kind: 'be', pricePerKwYear: 48 },
};

describe('tariff admin API', () => {
  it('sets, replaces, lists and deletes versions by date', async () => {
    const d = await addDevice(ctx.t, { name: 'home', country: 'BE' });
    const put = await admin('PUT', `/api/v1/admin/devices/${d.id}/tariffs/2026-03-01`, BE_TARIFF);
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json()).toEqual({
      validFrom: '2026-03-01',
      currency: 'EUR',
      importPrices: { day: 0.3, night: 0.2, weekend: 0.18 },
      dayHours: { start: 7, end: 22 },
      dynamic: null,
      exportPrice: 0.04,
      fixedMonthlyFee: 9.5,
      capacity: { kind: 'be', pricePerKwYear: 48, minimumKw: 2.5 },
    });
    const steps = [{ fromKw: 0, monthlyPrice: 130 }, { fromKw: 2, monthlyPrice: 190 }, { fromKw: 5, monthlyPrice: 280 }];
    const v2 = await admin('PUT', `/api/v1/admin/devices/${d.id}/tariffs/2026-03-15`, {
      currency: 'nok',
      importPrices: { day: 0.5 },
      dynamic: { series: 'NO1', markup: 0.05 },
      capacity: { kind: 'no', steps },
    });
    expect(v2.statusCode, v2.body).toBe(200);
    expect(v2.json()).toMatchObject({ currency: 'NOK', importPrices: { day: 0.5, night: null, weekend: null }, dynamic: { series: 'NO1', factor: 1, markup: 0.05 }, capacity: { kind: 'no', steps } });
    // Replacing a version keeps one row for the date and replaces its steps.
    const again = await admin('PUT', `/api/v1/admin/devices/${d.id}/tariffs/2026-03-15`, { importPrices: { day: 0.6 }, capacity: { kind: 'no', steps: steps.slice(0, 2) } });
    expect(again.json().capacity.steps).toHaveLength(2);
    const list = await admin('GET', `/api/v1/admin/devices/${d.id}/tariffs`);
    expect(list.json().map((t: any) => [t.validFrom, t.importPrices.day])).toEqual([['2026-03-01', 0.3], ['2026-03-15', 0.6]]);
    expect(await ctx.t.db.selectFrom('tariff_capacity_step').select('from_kw').execute()).toHaveLength(2);

    expect((await admin('DELETE', `/api/v1/admin/devices/${d.id}/tariffs/2026-03-15`)).statusCode).toBe(204);
    expect((await admin('DELETE', `/api/v1/admin/devices/${d.id}/tariffs/2026-03-15`)).statusCode).toBe(404);
    expect(await ctx.t.db.selectFrom('tariff_capacity_step').select('from_kw').execute()).toHaveLength(0);
    // Deleting the device removes its tariffs.
    expect((await ctx.app.inject({ method: 'DELETE', url: `/api/v1/admin/devices/${d.id}`, headers: bearer(ADMIN_TOKEN) })).statusCode).toBe(204);
    expect(await ctx.t.db.selectFrom('tariff').select('id').execute()).toHaveLength(0);
  });

  it('answers 400 to bad input and 404 to an unknown device, never 5xx', async () => {
    const d = await addDevice(ctx.t, { name: 'home' });
    const url = `/api/v1/admin/devices/${d.id}/tariffs`;
    const bad: [string, object][] = [
      ['2026-02-30', BE_TARIFF],
      ['9999-01-01', BE_TARIFF],
      ['1970-01-01', BE_TARIFF],
      ['2026-03-01', { ...BE_TARIFF, importPrices: { day: 1e12 } }],
      ['2026-03-01', { ...BE_TARIFF, importPrices: { day: 'cheap' } }],
      ['2026-03-01', { ...BE_TARIFF, dayHours: { start: 22, end: 7 } }],
      ['2026-03-01', { ...BE_TARIFF, capacity: { kind: 'be' } }],
      ['2026-03-01', { ...BE_TARIFF, capacity: { kind: 'no', steps: [{ fromKw: 2, monthlyPrice: 1 }] } }],
      ['2026-03-01', { ...BE_TARIFF, capacity: { kind: 'no', steps: [{ fromKw: 0, monthlyPrice: 1 }, { fromKw: 0, monthlyPrice: 2 }] } }],
      ['2026-03-01', { ...BE_TARIFF, capacity: { kind: 'none', pricePerKwYear: 4 } }],
      ['2026-03-01', { ...BE_TARIFF, dynamic: { series: 'bad series!' } }],
      ['2026-03-01', { ...BE_TARIFF, surprise: 1 }],
    ];
    for (const [date, body] of bad) {
      const r = await admin('PUT', `${url}/${date}`, body);
      expect(r.statusCode, `${date} ${JSON.stringify(body)}: ${r.body}`).toBe(400);
    }
    expect((await admin('PUT', '/api/v1/admin/devices/999/tariffs/2026-03-01', BE_TARIFF)).statusCode).toBe(404);
    expect((await admin('GET', '/api/v1/admin/devices/999/tariffs')).statusCode).toBe(404);
    expect((await ctx.app.inject({ method: 'GET', url })).statusCode).toBe(401);
  });

  it('imports prices over HTTP twice with the same result, and lists them', async () => {
    const post = () => ctx.app.inject({ method: 'POST', url: '/api/v1/admin/prices/BE', headers: { ...bearer(ADMIN_TOKEN), 'content-type': 'application/xml' }, payload: entsoeXml() });
    const first = await post();
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toEqual({ series: 'BE', quarters: 92, from: '2026-03-28T23:00:00.000Z', to: '2026-03-29T22:00:00.000Z' });
    const before = await ctx.t.db.selectFrom('energy_price').selectAll().orderBy('starts_at').execute();
    expect((await post()).json()).toEqual(first.json());
    expect(await ctx.t.db.selectFrom('energy_price').selectAll().orderBy('starts_at').execute()).toEqual(before);
    const list = await ctx.app.inject({ method: 'GET', url: '/api/v1/admin/prices/BE?from=2026-03-28T23:00:00Z&to=2026-03-29T00:30:00Z', headers: bearer(ADMIN_TOKEN) });
    expect(list.json()).toEqual([
      { startsAt: '2026-03-28T23:00:00.000Z', price: 0.101 },
      { startsAt: '2026-03-28T23:15:00.000Z', price: 0.101 },
      { startsAt: '2026-03-28T23:30:00.000Z', price: 0.101 },
      { startsAt: '2026-03-28T23:45:00.000Z', price: 0.101 },
      { startsAt: '2026-03-29T00:00:00.000Z', price: 0.102 },
      { startsAt: '2026-03-29T00:15:00.000Z', price: 0.102 },
    ]);
    const garbage = await ctx.app.inject({ method: 'POST', url: '/api/v1/admin/prices/BE', headers: { ...bearer(ADMIN_TOKEN), 'content-type': 'text/csv' }, payload: 'when,how much\nyesterday,cheap\n' });
    expect(garbage.statusCode).toBe(400);
    expect(garbage.json().error.message).toMatch(/line 1: time must be ISO 8601/);
    const json = await ctx.app.inject({ method: 'POST', url: '/api/v1/admin/prices/BE', headers: { ...bearer(ADMIN_TOKEN), 'content-type': 'application/json' }, payload: '{}' });
    expect(json.statusCode).toBe(415);
  });
});

describe('tariffs CLI', () => {
  it('sets and lists a version, and imports price files with progress and a summary', async () => {
    const d = await addDevice(ctx.t, { name: 'cabin', country: 'NO', timeZone: 'Europe/Oslo' });
    const set = await cli('set', '--device', 'cabin', '--from', '2026-10-01', '--day', '0.9', '--night', '0.7', '--capacity-no', '0:130,2:190,5:280', '--monthly-fee', '40', '--currency', 'NOK');
    expect(set.json).toMatchObject({ validFrom: '2026-10-01', currency: 'NOK', importPrices: { day: 0.9, night: 0.7, weekend: null }, fixedMonthlyFee: 40, capacity: { kind: 'no', steps: [{ fromKw: 0, monthlyPrice: 130 }, { fromKw: 2, monthlyPrice: 190 }, { fromKw: 5, monthlyPrice: 280 }] } });
    expect((await cli('list', '--device', String(d.id))).json).toHaveLength(1);
    await expect(cli('set', '--device', 'cabin', '--from', '2026-10-01', '--day', 'lots')).rejects.toMatchObject({ code: 2 });
    await expect(cli('set', '--device', 'cabin', '--from', '2026-10-01', '--day', '1e9')).rejects.toMatchObject({ code: 1 });

    const dir = mkdtempSync(join(tmpdir(), 'sem-prices-'));
    try {
      const xml = join(dir, 'day.xml');
      const csv = join(dir, 'prices.csv');
      writeFileSync(xml, entsoeXml());
      writeFileSync(csv, 'time,price\n2026-03-30T00:00:00+02:00,0.21\n2026-03-30T00:15:00+02:00,0.22\n');
      const imported = await cli('import-prices', '--series', 'BE', xml, csv);
      expect(imported.json.map((s: any) => s.quarters)).toEqual([92, 2]);
      expect(imported.stderr).toContain(`[1/2] ${xml}: 23 prices, 92 quarter-hours 2026-03-28T23:00:00.000Z .. 2026-03-29T22:00:00.000Z`);
      expect(imported.stderr).toContain(`[2/2] ${csv}: 2 prices, 2 quarter-hours`);
      expect(Number((await ctx.t.db.selectFrom('energy_price').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)).toBe(94);
      await expect(cli('import-prices', '--series', 'BE', csv, '--format', 'entsoe-xml')).rejects.toMatchObject({ code: 1 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000); // six CLI processes: each starts Node and loads the app's modules
});
