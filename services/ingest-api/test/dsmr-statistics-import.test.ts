/**
 * dsmr-reader's hour and day statistics into a device's hour and day rollups: its tables (columns as its
 * models dsmr_stats.HourStatistics and DayStatistics) and its web export (translated header, fixed column
 * order). Synthetic files; readings win where they exist, and a second import changes nothing.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { createIngest, type IngestEngine } from '@sem/ingest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDsmrReadings } from '../src/dsmr-import/dsmr-import.ts';
import { dsmrFileKind } from '../src/dsmr-import/dsmr-statistic-row.ts';
import { importDsmrStatistics } from '../src/dsmr-import/statistics-import.ts';
import { readHeadAndFirst } from '../src/dsmr-import/table-dump.ts';
import { addDevice, testConfig, useTestApp } from './test-app.ts';

const ctx = useTestApp({}, ['rollup_minute', 'rollup_quarter', 'rollup_hour', 'rollup_day', 'rollup_purge']);
let engine: IngestEngine;
beforeAll(() => {
  engine = createIngest({ db: ctx.t.db, config: testConfig(ctx.t) });
});
afterAll(async () => engine?.close());

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
function file(name: string, lines: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'sem-dsmr-stats-'));
  dirs.push(dir);
  const path = join(dir, name);
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

/** Imports a statistics file as the CLI does: kind and column names from its head. */
async function importStats(device: { id: number }, path: string, state = `${path}.state`) {
  const { header, first } = await readHeadAndFirst(path);
  const found = dsmrFileKind(header, first)!;
  if (found.kind === 'readings') throw new Error('not statistics');
  return importDsmrStatistics(ctx.t.db, { id: device.id, timeZone: 'Europe/Amsterdam' }, path, found.kind, found.columns, { statePath: state, batchSize: 2 });
}

const hours = async (id: number) =>
  (await sql<Record<string, unknown>>`
    SELECT DATE_FORMAT(bucket_start, '%Y-%m-%d %H:%i') AS at, DATE_FORMAT(local_date, '%Y-%m-%d') AS d, local_hour, imp_wh, imp_t1_wh, imp_t2_wh, exp_wh, exp_t1_wh, exp_t2_wh, gas_l
    FROM rollup_hour WHERE device_id = ${id} ORDER BY bucket_start`.execute(ctx.t.db)).rows.map((r) => Object.values(r).map((v) => (typeof v === 'string' ? v : Number(v))));
const days = async (id: number) =>
  (await sql<Record<string, unknown>>`
    SELECT DATE_FORMAT(local_date, '%Y-%m-%d') AS d, day_start, imp_wh, imp_t1_wh, imp_t2_wh, exp_wh, gas_l FROM rollup_day WHERE device_id = ${id} ORDER BY local_date`.execute(ctx.t.db)).rows.map((r) =>
    Object.values(r).map((v) => (typeof v === 'string' || v instanceof Date ? v : Number(v))),
  );

// Readings of 2021-01-10 11:00Z–11:30Z, +0.1 kWh on tariff 1 every 10 minutes (dsmr_datalogger_dsmrreading columns).
const READINGS = [
  'id,timestamp,electricity_delivered_1,electricity_returned_1,electricity_delivered_2,electricity_returned_2,electricity_currently_delivered,electricity_currently_returned',
  ...[0, 1, 2, 3].map((i) => `${i + 1},2021-01-10 ${String(12).padStart(2, '0')}:${i}0:00+01,${(1000 + i * 0.1).toFixed(3)},0.000,2000.000,0.000,0.600,0.000`),
];

describe('dsmr-reader statistics import', () => {
  it('fills empty hours and days from the statistics tables; where readings were rolled up they win; twice changes nothing', async () => {
    const d = await addDevice(ctx.t, { name: 'stats-tables', country: 'NL', timeZone: 'Europe/Amsterdam' });
    const readings = file('readings.csv', READINGS);
    expect(await importDsmrReadings(engine, { id: d.id, sendIntervalSeconds: 600 }, readings, { statePath: `${readings}.state` })).toMatchObject({ accepted: 4 });
    const fromReadings = { hour: await hours(d.id), day: await days(d.id) };
    expect(fromReadings.hour).toEqual([['2021-01-10 11:00', '2021-01-10', 12, 300, 300, 0, 0, 0, 0, 0]]);

    const hourTable = file('hours.csv', [
      'id,hour_start,electricity1,electricity2,electricity1_returned,electricity2_returned,gas',
      '1,2021-01-09 10:00:00+00,0.500,0.250,0.000,0.100,0.123',
      '2,2021-01-10 11:00:00+00,9.999,0.000,0.000,0.000,0.000', // the readings' hour: the readings win
      '3,2021-01-09 11:00:00+00,-1.500,0.000,0.000,0.000,0.000', // not an amount
      '4,2021-01-09 23:00:00,0.001,0.002,0.000,0.000,', // MySQL: UTC without offset; gas NULL
      '5,9999-12-31 23:00:00+00,0.001,0,0,0,0', // a clock in the future
      '6,1970-01-01 00:00:00+00,0.001,0,0,0,0', // an unset clock
    ]);
    const h = await importStats(d, hourTable);
    expect(h).toMatchObject({ kind: 'hour-statistics', lines: 6, filled: 2, kept: 0, afterReadings: 1, unreadable: 3 });
    expect(h.examples[0]).toMatch(/line 3: electricity1 "-1.500"/);
    expect(h.examples.slice(1)).toEqual([expect.stringMatching(/line 5: hour_start "9999-12-31 23:00:00\+00" is before 2000 or in the future/), expect.stringMatching(/line 6: hour_start/)]);
    expect(await hours(d.id)).toEqual([
      ['2021-01-09 10:00', '2021-01-09', 11, 750, 500, 250, 100, 0, 100, 123],
      ['2021-01-09 23:00', '2021-01-10', 0, 3, 1, 2, 0, 0, 0, 0],
      ...fromReadings.hour,
    ]);

    const dayTable = file('days.tsv', [
      ['id', 'day', 'electricity1', 'electricity2', 'electricity1_returned', 'electricity2_returned', 'electricity1_cost', 'electricity2_cost', 'gas', 'gas_cost', 'total_cost'].join('\t'),
      ['1', '2021-01-09', '12.345', '6.500', '0.000', '0.250', '2.47', '1.30', '3.210', '2.00', '5.77'].join('\t'),
      ['2', '2021-01-10', '50.000', '0.000', '0.000', '0.000', '10.00', '0.00', '\\N', '\\N', '10.00'].join('\t'), // the readings' day: the readings win
    ]);
    expect(await importStats(d, dayTable)).toMatchObject({ kind: 'day-statistics', filled: 1, kept: 0, afterReadings: 1, unreadable: 0 });
    // 2021-01-09 in Amsterdam starts 2021-01-08 23:00Z.
    expect(await days(d.id)).toEqual([['2021-01-09', new Date('2021-01-08T23:00:00Z'), 18_845, 12_345, 6_500, 250, 3_210], ...fromReadings.day]);

    // The readings API answers the filled hours and days from the rollups (older than the device's oldest raw row).
    const api = async (query: string) => (await ctx.app.inject({ method: 'GET', url: `/api/v1/readings?${query}`, headers: { authorization: `Bearer ${d.key}` } })).json().readings;
    expect(await api('from=2021-01-09T00:00:00Z&to=2021-01-10T12:00:00Z&resolution=1h')).toEqual([
      { time: '2021-01-09T10:00:00.000Z', source: 'rollup', used: { energyImportKwh: 0.75, energyImportT1Kwh: 0.5, energyImportT2Kwh: 0.25, energyExportKwh: 0.1, energyExportT2Kwh: 0.1, gasM3: 0.123 } },
      { time: '2021-01-09T23:00:00.000Z', source: 'rollup', used: { energyImportKwh: 0.003, energyImportT1Kwh: 0.001, energyImportT2Kwh: 0.002 } },
      { time: '2021-01-10T11:00:00.000Z', samples: 4, energyImportKwh: 3000.3, energyImportT1Kwh: 1000.3, energyImportT2Kwh: 2000, energyExportKwh: 0, energyExportT1Kwh: 0, energyExportT2Kwh: 0, powerImportW: 600, powerExportW: 0 },
    ]);
    const before = { hour: await hours(d.id), day: await days(d.id) };
    expect(await importStats(d, hourTable, `${hourTable}.again`)).toMatchObject({ filled: 0, kept: 2, afterReadings: 1 });
    expect(await importStats(d, dayTable, `${dayTable}.again`)).toMatchObject({ filled: 0, kept: 1, afterReadings: 1 });
    expect({ hour: await hours(d.id), day: await days(d.id) }).toEqual(before);
  });

  it('reads the web export (translated header, fixed column order; hours in ISO 8601, days in English or Dutch format)', async () => {
    const d = await addDevice(ctx.t, { name: 'stats-export', country: 'NL', timeZone: 'Europe/Amsterdam' });
    const hourExport = file('dsmrreader-data-export---hour__2021-01-08__2021-01-08.csv', [
      'Hour Start,Electricity 1 (Dutch Users: Low Tariff),Electricity 2 (Dutch Users: Normal Tariff),Electricity 1 Returned (Dutch Users: Low Tariff),Electricity 2 Returned (Dutch Users: Normal Tariff),Gas',
      '2021-01-08T12:00:00+01:00,0.25,0.0,0.0,0.0,0.05',
      '2021-01-08T13:00:00.000250+01:00,0.125,0.5,0.0,0.0,0.0',
    ]);
    expect(await importStats(d, hourExport)).toMatchObject({ kind: 'hour-statistics', filled: 2, unreadable: 0 });
    expect(await hours(d.id)).toEqual([
      ['2021-01-08 11:00', '2021-01-08', 12, 250, 250, 0, 0, 0, 0, 50],
      ['2021-01-08 12:00', '2021-01-08', 13, 625, 125, 500, 0, 0, 0, 0],
    ]);
    // Dutch: "Datum" and d-m-Y dates; 18 columns, the readings' names repeated as Django's verbose names are.
    const dayExport = file('dsmrreader-data-export---day__2021-01-07__2021-01-08.csv', [
      'Datum,Elektriciteit 1 verschil,Elektriciteit 2 verschil,Elektriciteit 1 teruglevering verschil,Elektriciteit 2 teruglevering verschil,Gas verschil,Kosten 1,Kosten 2,Gaskosten,Vaste kosten,Totale kosten,Tijdstip,Stand 1,Stand 2,Stand 1,Stand 2,Gas tijdstip,Gasstand',
      '07-01-2021,4.0,2.0,0.0,0.0,1.5,0.8,0.4,1.0,0.5,2.7,2021-01-07T23:59:50+01:00,1000.0,2000.0,0.0,0.0,2021-01-07T23:00:00+01:00,500.0',
      '31-02-2021,1.0,1.0,0.0,0.0,,0.2,0.2,,0.5,0.9,,,,,,,',
    ]);
    const s = await importStats(d, dayExport);
    expect(s).toMatchObject({ kind: 'day-statistics', filled: 1, unreadable: 1 });
    expect(s.examples[0]).toMatch(/line 2: date "31-02-2021" is not a calendar date/);
    expect(await days(d.id)).toEqual([['2021-01-07', new Date('2021-01-06T23:00:00Z'), 6000, 4000, 2000, 0, 1500]]);
  });

  it('never fills a bucket after the first reading: a gap between readings already has its energy (spread, or booked at its end)', async () => {
    const d = await addDevice(ctx.t, { name: 'stats-gap', country: 'NL', timeZone: 'Europe/Amsterdam' });
    // Two readings 19 days apart (beyond the gap horizon: 1000 Wh booked at the second one).
    const readings = file('readings.csv', [READINGS[0]!, '1,2021-01-01 01:00:00+01,1000.000,0,0,0,0,0', '2,2021-01-20 01:00:00+01,1001.000,0,0,0,0,0']);
    await importDsmrReadings(engine, { id: d.id, sendIntervalSeconds: 600 }, readings, { statePath: `${readings}.state` });
    const stats = file('hours.csv', [
      'id,hour_start,electricity1,electricity2,electricity1_returned,electricity2_returned,gas',
      '1,2020-12-31 23:00:00+00,0.7,0,0,0,0', // ends at the first reading: filled
      '2,2021-01-10 12:00:00+00,0.5,0,0,0,0', // inside the gap: its energy is the 1000 Wh at the end
    ]);
    expect(await importStats(d, stats)).toMatchObject({ filled: 1, afterReadings: 1 });
    const total = await sql<{ wh: number }>`SELECT SUM(imp_wh) AS wh FROM rollup_hour WHERE device_id = ${d.id}`.execute(ctx.t.db);
    expect(Number(total.rows[0]!.wh)).toBe(700 + 1000);
  });

  it('readings imported after statistics take the statistics of their local days back out (readings win, nothing counted twice)', async () => {
    const d = await addDevice(ctx.t, { name: 'stats-then-readings', country: 'NL', timeZone: 'Europe/Amsterdam' });
    const stats = file('hours.csv', [
      'id,hour_start,electricity1,electricity2,electricity1_returned,electricity2_returned,gas',
      '1,2021-01-09 10:00:00+00,0.5,0,0,0,0',
      '2,2021-01-09 20:00:00+00,0.3,0,0,0,0', // same local day as the readings: taken back too
      '3,2021-01-08 10:00:00+00,0.7,0,0,0,0', // another day: stays
    ]);
    const dayStats = file('days.csv', ['id,day,electricity1,electricity2,electricity1_returned,electricity2_returned,gas', '1,2021-01-09,2.0,0,0,0,', '2,2021-01-08,0.9,0,0,0,']);
    expect(await importStats(d, stats)).toMatchObject({ filled: 3 });
    expect(await importStats(d, dayStats)).toMatchObject({ filled: 2 });
    // Then readings of 2021-01-09 10:00Z–11:20Z, +100 Wh every 10 minutes: 600 Wh in hour 10, 200 in hour 11.
    const readings = file('readings.csv', [READINGS[0]!, ...Array.from({ length: 9 }, (_, i) => `${i + 1},2021-01-09 ${i < 6 ? '11' : '12'}:${String((i % 6) * 10).padStart(2, '0')}:00+01,${(1000 + i * 0.1).toFixed(3)},0,0,0,0,0`)]);
    expect(await importDsmrReadings(engine, { id: d.id, sendIntervalSeconds: 600 }, readings, { statePath: `${readings}.state` })).toMatchObject({ accepted: 9, statisticsTakenBack: 3 });
    expect((await hours(d.id)).map((r) => [r[0], r[3]])).toEqual([
      ['2021-01-08 10:00', 700],
      ['2021-01-09 10:00', 600],
      ['2021-01-09 11:00', 200],
      ['2021-01-09 20:00', 0], // its statistic taken back: the day is the readings'
    ]);
    expect((await days(d.id)).map((r) => [r[0], r[2]])).toEqual([
      ['2021-01-08', 900],
      ['2021-01-09', 800],
    ]);
    const left = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM rollup_statistic_fill WHERE device_id = ${d.id}`.execute(ctx.t.db);
    expect(Number(left.rows[0]!.n)).toBe(2); // 2021-01-08's hour and day
    // The same statistics again: the readings' day is after the first reading now, the other day is filled already.
    expect(await importStats(d, stats, `${stats}.again`)).toMatchObject({ filled: 0, kept: 1, afterReadings: 2 });
  });

  it('resumes after the lines its state file says are done', async () => {
    const d = await addDevice(ctx.t, { name: 'stats-resume', timeZone: 'Europe/Amsterdam' });
    const path = file('hours.csv', ['id,hour_start,electricity1,electricity2,electricity1_returned,electricity2_returned,gas', ...[0, 1, 2, 3, 4].map((i) => `${i},2021-01-05 0${i}:00:00+00,0.1,0,0,0,0`)]);
    writeFileSync(`${path}.state`, JSON.stringify({ linesDone: 3 }));
    expect(await importStats(d, path)).toMatchObject({ resumedAfter: 3, filled: 2 });
    expect((await hours(d.id)).map((r) => r[0])).toEqual(['2021-01-05 03:00', '2021-01-05 04:00']);
  });
});
