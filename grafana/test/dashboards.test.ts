/**
 * Every panel query of every dashboard, expanded as Grafana expands it and run as the read-only
 * user against a seeded MariaDB (seed/dashboard-seed.ts). The expected numbers are worked out by
 * hand from the seed's story; the comments show the arithmetic.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DASHBOARDS } from '../src/dashboards.ts';
import type { VariableValue } from '../src/grafana-macros.ts';
import { openGrafanaDatabase, type GrafanaDatabase } from './grafana-database.ts';
import { GrafanaRunner, toMs, type Row } from './grafana-runner.ts';
import { BE_MONTH_PEAKS, HOME_VOLTS, NEIGHBOUR_VOLTS, seedDashboards, type SeedIds } from './seed/dashboard-seed.ts';

const home = DASHBOARDS['home.json']!;
const energy = DASHBOARDS['energy.json']!;
const capacity = DASHBOARDS['capacity.json']!;
const pq = DASHBOARDS['power-quality.json']!;
const grid = DASHBOARDS['grid-analysis.json']!;
const fleet = DASHBOARDS['fleet-health.json']!;

let db: GrafanaDatabase;
let g: GrafanaRunner;
let ids: SeedIds;

beforeAll(async () => {
  db = await openGrafanaDatabase('grafana', async (k) => {
    ids = await seedDashboards(k);
  });
  g = db.g;
}, 120_000);

afterAll(async () => db?.close());

const one = (id: number): Record<string, VariableValue> => ({ device: { value: String(id) } });
const many = (...list: number[]): Record<string, VariableValue> => ({ device: { value: list.map(String), multi: true, includeAll: true } });
const iso = (v: unknown) => new Date(toMs(v)).toISOString();
const close = (v: unknown, want: number, digits = 6) => expect(Number(v)).toBeCloseTo(want, digits);
/** Rows inside [from, to] by their time column. */
const within = (rows: Row[], from: string, to: string) => rows.filter((r) => toMs(r['time']) >= Date.parse(from) && toMs(r['time']) <= Date.parse(to));
/** A long-format frame as `time|metric -> value`. */
const long = (rows: Row[]) => Object.fromEntries(rows.map((r) => [`${iso(r['time'])}|${r['metric']}`, Number(r['value'])]));

const LAST_HOUR = { from: '2026-10-28T11:00:00Z', to: '2026-10-28T12:00:00Z' };
const LAST_DAY = { from: '2026-10-27T12:00:00Z', to: '2026-10-28T12:00:00Z' };
const LAST_30_DAYS = { from: '2026-09-28T12:00:00Z', to: '2026-10-28T12:00:00Z' };
const LAST_YEAR = { from: '2025-10-28T12:00:00Z', to: '2026-10-28T12:00:00Z' };
const TODAY = { from: '2026-10-27T23:00:00Z', to: '2026-10-28T12:00:00Z' };

describe('the read-only datasource user', () => {
  it('may read the dashboards\' tables and nothing more', async () => {
    await expect(g.runSql('DELETE FROM reading')).rejects.toThrow(/denied/i);
    await expect(g.runSql('CREATE TABLE x (a int)')).rejects.toThrow(/denied/i);
    await expect(g.runSql('UPDATE rollup_day SET imp_wh = 0')).rejects.toThrow(/denied/i);
    await expect(g.runSql('SELECT * FROM device_key')).rejects.toThrow(/denied/i);
  });

  it('fills the device selectors', async () => {
    for (const d of Object.values(DASHBOARDS)) {
      const v = d.templating.list.find((x) => x.name === 'device')!;
      const rows = await g.runSql(v['query'] as string);
      expect(rows.map((r) => r['__text'])).toEqual(['be-home', 'be-neighbour', 'no-cabin']);
    }
  });
});

describe('Home', () => {
  it('shows the power of the latest reading', async () => {
    const { rows } = await g.run(home, 'Power now', LAST_HOUR, one(ids.beHome));
    expect(rows).toHaveLength(1);
    expect(iso(rows[0]!['time'])).toBe('2026-10-28T12:00:00.000Z');
    expect(rows[0]).toMatchObject({ Import: 3600, Export: 0 });
  });

  it('plots power from raw rows, the minute rollup or the hour rollup by interval', async () => {
    // 1 h / 500 points = 7.2 s -> 5 s: raw rows (one every 10 s: 361 buckets).
    const raw = await g.run(home, 'Power', LAST_HOUR, one(ids.beHome));
    expect(raw.intervalMs).toBe(5000);
    expect(raw.sql).toContain('FROM reading');
    expect(raw.rows).toHaveLength(361);
    for (const r of raw.rows) expect(r).toMatchObject({ Import: 3600, Export: 0 });
    // 24 h / 500 = 172.8 s -> 2 min: minute rollup; 11:00..12:00 gives 31 buckets.
    const minute = await g.run(home, 'Power', LAST_DAY, one(ids.beHome));
    expect(minute.intervalMs).toBe(120_000);
    const m = minute.rows.filter((r) => r['Import'] !== null);
    expect(m).toHaveLength(31);
    for (const r of m) expect(r).toMatchObject({ Import: 3600, Export: 0 });
    // 30 days / 500 = 86.4 min -> 1 h: hour rollup.
    const hour = await g.run(home, 'Power', LAST_30_DAYS, one(ids.beHome));
    expect(hour.intervalMs).toBe(3_600_000);
    const h = hour.rows.filter((r) => r['Import'] !== null);
    expect(h.map((r) => [iso(r['time']), r['Import']])).toEqual([
      ['2026-10-28T11:00:00.000Z', 3600],
      ['2026-10-28T12:00:00.000Z', 3600],
    ]);
  });

  it('plots net power per phase', async () => {
    const { rows } = await g.run(home, 'Power per phase (import − export)', LAST_DAY, one(ids.beHome));
    const w = within(rows, '2026-10-28T11:00:00Z', '2026-10-28T12:00:00Z');
    expect(w).toHaveLength(31);
    for (const r of w) expect(r).toMatchObject({ L1: 1800, L2: 1200, L3: 600 });
  });

  it("gives today's energy by tariff, named after the device's country", async () => {
    // be-home, local 2026-10-28: 6000 Wh until 11:00Z + 360 x 10 Wh on tariff 1 = 9.6 kWh.
    const be = await g.run(home, 'Energy today by tariff', TODAY, one(ids.beHome));
    expect(be.rows.map((r) => [r['Tariff'], Number(r['Energy'])])).toEqual([
      ['Import day (T1)', 9.6],
      ['Import night (T2)', 0],
      ['Export day (T1)', 0],
      ['Export night (T2)', 0],
    ]);
    // no-cabin (no tariffs), local 2026-10-28 from 23:00Z: 11 h x 100 Wh = 1.1 kWh.
    const no = await g.run(home, 'Energy today by tariff', TODAY, one(ids.noCabin));
    expect(no.rows.map((r) => [r['Tariff'], Number(r['Energy'])])).toEqual([
      ['Import', 1.1],
      ['Export', 0],
    ]);
  });

  it('gives gas and water today in m³', async () => {
    // Gas 1000.000 at local midnight -> 1001.250; water 50.000 -> 50.320.
    const { rows } = await g.run(home, 'Gas and water today', TODAY, one(ids.beHome));
    expect(rows).toHaveLength(1);
    close(rows[0]!['Gas'], 1.25);
    close(rows[0]!['Water'], 0.32);
    expect(home.panels.find((p) => p.title === 'Gas and water today')!.fieldConfig.defaults['unit']).toBe('m3');
  });

  it('says when each device was last seen', async () => {
    const { rows } = await g.run(home, 'Last seen', TODAY, one(ids.beHome));
    const now = Date.now();
    expect(rows.map((r) => [r['Device'], iso(r['Last reading'])])).toEqual([
      ['be-home', '2026-10-28T12:00:00.000Z'],
      ['be-neighbour', '2026-10-27T22:30:00.000Z'],
      ['no-cabin', '2026-10-28T10:00:00.000Z'],
    ]);
    for (const r of rows) expect(Math.abs(Number(r['Age']) - (now - toMs(r['Last reading'])) / 1000)).toBeLessThan(5);
  });
});

describe('Energy', () => {
  const per = (period: string, id = ids.beHome) => ({ ...one(id), period: { value: period } });

  it('gives the 23-hour day of March its own bar', async () => {
    // 2026-03-29 local = 23 h: 92 quarters x 250 Wh import, x 50 Wh export, all tariff 1.
    const imp = await g.run(energy, 'Import by tariff per ${period}', { from: '2026-03-28T12:00:00Z', to: '2026-03-29T12:00:00Z' }, per('day'));
    expect(long(imp.rows)).toEqual({ '2026-03-28T23:00:00.000Z|Import day (T1)': 23, '2026-03-28T23:00:00.000Z|Import night (T2)': 0 });
    const exp = await g.run(energy, 'Export by tariff per ${period}', { from: '2026-03-28T12:00:00Z', to: '2026-03-29T12:00:00Z' }, per('day'));
    expect(long(exp.rows)).toEqual({ '2026-03-28T23:00:00.000Z|Export day (T1)': 4.6, '2026-03-28T23:00:00.000Z|Export night (T2)': 0 });
  });

  it('gives the 25-hour day of October its own bar', async () => {
    // 2026-10-25 local = 25 h: 100 quarters x 125 Wh on tariff 2.
    const { rows } = await g.run(energy, 'Import by tariff per ${period}', { from: '2026-10-24T12:00:00Z', to: '2026-10-25T12:00:00Z' }, per('day'));
    expect(long(rows)).toEqual({ '2026-10-24T22:00:00.000Z|Import day (T1)': 0, '2026-10-24T22:00:00.000Z|Import night (T2)': 12.5 });
  });

  it('counts a replaced meter from its first value', async () => {
    // 2026-06-15: 12 x 400 Wh on the old meter, the swap counts 0, then 11 x 300 + 150 Wh on the new one.
    const { rows } = await g.run(energy, 'Import by tariff per ${period}', { from: '2026-06-14T12:00:00Z', to: '2026-06-15T12:00:00Z' }, per('day'));
    expect(long(rows)).toEqual({ '2026-06-14T22:00:00.000Z|Import day (T1)': 8.25, '2026-06-14T22:00:00.000Z|Import night (T2)': 0 });
    // June: T1 = 0.9 (peak 3.6 kW x 15 min) + 8.25; T2 = 9 x 2.4 + 2.375 (peak day) + 4 x 2.4 + 15 x 2.4 (gaps at 100 W).
    const month = await g.run(energy, 'Import by tariff per ${period}', { from: '2026-05-31T12:00:00Z', to: '2026-06-01T12:00:00Z' }, per('month'));
    const m = long(month.rows);
    close(m['2026-05-31T22:00:00.000Z|Import day (T1)'], 9.15);
    close(m['2026-05-31T22:00:00.000Z|Import night (T2)'], 69.575);
  });

  it('sums local weeks and months', async () => {
    // ISO week from Mon 2026-10-19 (CEST): 6 gap days x 2.4 + the 25-hour day 12.5, all tariff 2.
    const week = await g.run(energy, 'Import by tariff per ${period}', { from: '2026-10-18T12:00:00Z', to: '2026-10-19T12:00:00Z' }, per('week'));
    const w = long(week.rows);
    expect(Object.keys(w)).toEqual(['2026-10-18T22:00:00.000Z|Import day (T1)', '2026-10-18T22:00:00.000Z|Import night (T2)']);
    close(w['2026-10-18T22:00:00.000Z|Import day (T1)'], 0);
    close(w['2026-10-18T22:00:00.000Z|Import night (T2)'], 26.9);
    // Week from Mon 2026-03-23 (CET) holds the 23-hour day: T1 23, T2 6 x 2.4.
    const spring = long((await g.run(energy, 'Import by tariff per ${period}', { from: '2026-03-22T12:00:00Z', to: '2026-03-23T12:00:00Z' }, per('week'))).rows);
    close(spring['2026-03-22T23:00:00.000Z|Import day (T1)'], 23);
    close(spring['2026-03-22T23:00:00.000Z|Import night (T2)'], 14.4);
    // October: T1 = 1.5 (peak 6 kW) + 9.6 (today); T2 = 9 x 2.4 + 2.375 + 14 x 2.4 + 12.5 + 2 x 2.4.
    const oct = long((await g.run(energy, 'Import by tariff per ${period}', { from: '2026-09-30T12:00:00Z', to: '2026-10-01T12:00:00Z' }, per('month'))).rows);
    close(oct['2026-09-30T22:00:00.000Z|Import day (T1)'], 11.1);
    close(oct['2026-09-30T22:00:00.000Z|Import night (T2)'], 74.875);
  });

  it('gives gas and water per local day in m³', async () => {
    // Gas 999 (Oct 25 24:00) -> 1000 (Oct 27 24:00) spread over 48 h, then 1.25 today; water only today.
    const range = { from: '2026-10-24T12:00:00Z', to: '2026-10-28T12:00:00Z' };
    const gas = await g.run(energy, 'Gas per ${period}', range, per('day'));
    expect(gas.rows.map((r) => [iso(r['time']), Number(r['Gas'])])).toEqual([
      ['2026-10-24T22:00:00.000Z', 0],
      ['2026-10-25T23:00:00.000Z', 0.5],
      ['2026-10-26T23:00:00.000Z', 0.5],
      ['2026-10-27T23:00:00.000Z', 1.25],
    ]);
    const water = await g.run(energy, 'Water per ${period}', range, per('day'));
    expect(water.rows.map((r) => Number(r['Water']))).toEqual([0, 0, 0, 0.32]);
  });
});

describe('Capacity tariff', () => {
  it('plots the 15-minute average demand', async () => {
    // The 25-hour day at 500 W: 100 quarters of 0.5 kW ($__interval raised to the panel's 15m).
    const { rows, intervalMs } = await g.run(capacity, '15-minute average demand (BE)', { from: '2026-10-24T22:00:00Z', to: '2026-10-25T22:59:59Z' }, one(ids.beHome));
    expect(intervalMs).toBe(900_000);
    expect(rows).toHaveLength(100);
    for (const r of rows) close(r['Demand'], 0.5);
  });

  it("finds this month's peak", async () => {
    const { rows } = await g.run(capacity, "This month's peak (BE)", LAST_30_DAYS, one(ids.beHome));
    expect(rows).toHaveLength(1);
    expect(iso(rows[0]!['time'])).toBe('2026-10-10T16:00:00.000Z');
    close(rows[0]!['Peak'], 6.0);
  });

  it('averages the last 12 monthly peaks with the 2.5 kW minimum', async () => {
    // 3.2 4.0 5.6 2.5(2.0) 3.0 2.5(1.2) 2.8 3.6 2.5(2.4) 2.6 3.4 6.0 -> 41.7 / 12.
    const { rows } = await g.run(capacity, 'Rolling 12-month average peak (BE)', LAST_30_DAYS, one(ids.beHome));
    close(rows[0]!['Rolling average'], 3.475);
    expect(Number(rows[0]!['Months'])).toBe(12);
    // At the end of March 2026 only Nov..Mar exist: 3.2 4.0 5.6 2.5 3.0 -> 18.3 / 5.
    const march = await g.run(capacity, 'Rolling 12-month average peak (BE)', { from: '2026-03-01T00:00:00Z', to: '2026-03-31T12:00:00Z' }, one(ids.beHome));
    close(march.rows[0]!['Rolling average'], 3.66);
    expect(Number(march.rows[0]!['Months'])).toBe(5);
  });

  it('shows monthly peaks beside the ones the meter reports', async () => {
    const { rows } = await g.run(capacity, 'Monthly peaks: computed and reported by the meter (BE)', LAST_YEAR, one(ids.beHome));
    const computed = rows.filter((r) => r['metric'] === 'Computed').map((r) => Number(r['value']));
    expect(computed).toEqual(BE_MONTH_PEAKS.map((p) => p.kw));
    const meter = rows.filter((r) => r['metric'] === 'Meter').map((r) => [iso(r['time']), Number(r['value'])]);
    // From the meter's own 98.1.0 history by month boundary (August had no peak: 0), October's running 1.6.0 peak.
    expect(meter).toEqual([
      ['2026-07-31T22:00:00.000Z', 0],
      ['2026-08-31T22:00:00.000Z', 3.4],
      ['2026-09-30T22:00:00.000Z', 6.05],
    ]);
    // A month of the meter's history before SEM had data: placed one calendar month before its boundary (UTC).
    const older = await g.run(capacity, 'Monthly peaks: computed and reported by the meter (BE)', { from: '2025-09-01T00:00:00Z', to: '2025-11-15T00:00:00Z' }, one(ids.beHome));
    expect(older.rows.filter((r) => r['metric'] === 'Meter').map((r) => [iso(r['time']), Number(r['value'])])).toEqual([['2025-09-30T23:00:00.000Z', 2.9]]);
    const table = await g.run(capacity, 'Peaks reported by the meter beside ours (BE)', LAST_YEAR, one(ids.beHome));
    expect(table.rows.map((r) => [iso(r['Peak time']), Number(r['Meter peak']), Number(r['Computed for that quarter']), r['Period end'] && iso(r['Period end'])])).toEqual([
      ['2026-10-10T16:00:00.000Z', 6.05, 6, null],
      ['2026-09-10T16:00:00.000Z', 3.4, 3.4, '2026-09-30T22:00:00.000Z'],
    ]);
  });

  it('averages the three highest daily peak hours of the Norwegian month', async () => {
    // October in Oslo: Oct 1 00:00-01:00 local (Sep 30 22:00Z) 7.0, Oct 8 6.1, Oct 15 5.9 (its 5.5 hour is the same day).
    const { rows } = await g.run(capacity, 'Capacity step this month (NO)', LAST_30_DAYS, one(ids.noCabin));
    close(rows[0]!['Average of 3 highest daily peaks'], 19 / 3);
    expect(rows[0]!['Step']).toBe('3: 5–10 kW');
    expect(Number(rows[0]!['Days'])).toBe(3);
    const days = await g.run(capacity, 'Daily peak hour (NO)', { from: '2026-09-29T12:00:00Z', to: '2026-10-01T12:00:00Z' }, one(ids.noCabin));
    expect(days.rows.map((r) => [iso(r['time']), Number(r['Highest hour'])])).toEqual([
      ['2026-09-29T22:00:00.000Z', 9],
      ['2026-09-30T22:00:00.000Z', 7],
    ]);
  });
});

describe('Power quality', () => {
  it('plots voltage per phase as average, minimum and maximum', async () => {
    // L1 alternates 229.0 / 231.0 every 10 s; L2 231.0; L3 229.0. 2-minute buckets hold 6 + 6 readings.
    const { rows } = await g.run(pq, 'Voltage per phase: average, minimum, maximum', LAST_DAY, one(ids.beHome));
    const w = within(rows, '2026-10-28T11:00:00Z', '2026-10-28T11:58:00Z');
    expect(w).toHaveLength(30);
    for (const r of w) {
      close(r['L1 avg'], 230, 4);
      close(r['L1 min'], 229, 4);
      close(r['L1 max'], 231, 4);
      close(r['L2 avg'], 231, 4);
      close(r['L3 max'], 229, 4);
    }
    // The voltage-only readings of Oct 27 (hh:30 local) show as L1 only.
    const oct27 = rows.find((r) => iso(r['time']) === '2026-10-27T12:30:00.000Z')!;
    close(oct27['L1 avg'], HOME_VOLTS(13), 4);
    expect(oct27['L2 avg']).toBeNull();
    const raw = await g.run(pq, 'Voltage per phase: average, minimum, maximum', LAST_HOUR, one(ids.beHome));
    expect(raw.rows.slice(0, 2).map((r) => [r['L1 avg'], r['L1 min'], r['L1 max']])).toEqual([
      [229, 229, 229],
      [231, 231, 231],
    ]);
  });

  it('plots currents', async () => {
    const { rows } = await g.run(pq, 'Current per phase: average and maximum', LAST_DAY, one(ids.beHome));
    for (const r of within(rows, '2026-10-28T11:00:00Z', '2026-10-28T12:00:00Z')) {
      close(r['L1 avg'], 8, 4);
      close(r['L1 max'], 8, 4);
      close(r['L2 avg'], 5.2, 4);
      close(r['L3 max'], 2.6, 4);
    }
  });

  it('computes the voltage unbalance', async () => {
    // Averages 230 / 231 / 229: largest deviation 1 V of 230 V.
    const { rows } = await g.run(pq, 'Voltage unbalance', LAST_DAY, one(ids.beHome));
    const w = within(rows, '2026-10-28T11:00:00Z', '2026-10-28T11:58:00Z');
    expect(w).toHaveLength(30);
    for (const r of w) close(r['Unbalance'], 100 / 230, 6);
    // Raw 5 s buckets: 229/231/229 -> 1.3333 of 229.6667 V; 231/231/229 -> 1.3333 of 230.3333 V.
    const raw = await g.run(pq, 'Voltage unbalance', LAST_HOUR, one(ids.beHome));
    close(raw.rows[0]!['Unbalance'], (100 * (4 / 3)) / (689 / 3), 6);
    close(raw.rows[1]!['Unbalance'], (100 * (4 / 3)) / (691 / 3), 6);
  });

  it('counts sags, swells and power failures per hour', async () => {
    // Sags L1 3 -> 5 at 11:30Z, swells L2 0 -> 1 at 11:45Z, failures 7 -> 8 at 11:20Z.
    const s = await g.run(pq, 'Voltage sags and swells', TODAY, one(ids.beHome));
    expect(s.intervalMs).toBe(3_600_000);
    expect(s.rows).toHaveLength(14); // 23:00Z .. 12:00Z
    const busy = s.rows.filter((r) => Object.entries(r).some(([k, v]) => k !== 'time' && Number(v) !== 0));
    expect(busy.map((r) => [iso(r['time']), Number(r['Sags L1']), Number(r['Swells L2']), Number(r['Sags L2'])])).toEqual([['2026-10-28T11:00:00.000Z', 2, 1, 0]]);
    const f = await g.run(pq, 'Power failures', TODAY, one(ids.beHome));
    const fb = f.rows.filter((r) => Number(r['Short failures']) + Number(r['Long failures']) !== 0);
    expect(fb.map((r) => [iso(r['time']), Number(r['Short failures']), Number(r['Long failures'])])).toEqual([['2026-10-28T11:00:00.000Z', 1, 0]]);
  });

  it('lists the power-failure log', async () => {
    const { rows } = await g.run(pq, 'Power-failure log', LAST_30_DAYS, one(ids.beHome));
    expect(rows.map((r) => [iso(r['Started']), iso(r['Ended']), r['Duration']])).toEqual([['2026-10-20T07:55:00.000Z', '2026-10-20T08:00:00.000Z', 300]]);
  });
});

describe('Grid analysis', () => {
  const OCT_27 = { from: '2026-10-26T23:00:00Z', to: '2026-10-27T22:59:59Z' };
  const both = () => many(ids.beHome, ids.beNeighbour);

  it('gives voltage by local hour of day per meter, raw and normalized', async () => {
    const raw = await g.run(grid, 'Voltage by hour of day', OCT_27, both());
    expect(raw.rows).toHaveLength(48);
    for (const r of raw.rows) {
      const volts = r['Meter'] === 'be-home' ? HOME_VOLTS : NEIGHBOUR_VOLTS;
      close(r['Voltage'], volts(Number(r['Hour'])), 6);
    }
    // Means over the day: be-home 231.5, be-neighbour 231.
    const norm = await g.run(grid, 'Voltage by hour of day, normalized', OCT_27, both());
    expect(norm.rows).toHaveLength(48);
    for (const r of norm.rows) {
      const [volts, mean] = r['Meter'] === 'be-home' ? [HOME_VOLTS, 231.5] : [NEIGHBOUR_VOLTS, 231];
      close(r['Deviation'], 100 * (volts(Number(r['Hour'])) / mean - 1), 6);
    }
  });

  it('correlates the voltage of the meters', async () => {
    // Deviations (-1.5 -0.5 0.5 1.5) and (-2 0 -1 3): r = 7 / sqrt(5 x 14).
    const { rows } = await g.run(grid, 'Voltage correlation between meters', OCT_27, both());
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ 'Meter A': 'be-home', 'Meter B': 'be-neighbour', Hours: 24 });
    close(rows[0]!['Correlation'], 7 / Math.sqrt(70), 9);
  });

  it('plots hourly energy per meter', async () => {
    // be-home's gap Oct 25 24:00 -> Oct 27 24:00 at 100 W: 0.1 kWh each hour; the neighbour has no registers.
    const { rows } = await g.run(grid, 'Hourly energy', OCT_27, both());
    expect(rows).toHaveLength(48);
    for (const r of rows) close(r['value'], r['metric'] === 'be-home' ? 0.1 : 0);
  });
});

describe('Fleet health', () => {
  const all = () => many(ids.beHome, ids.beNeighbour, ids.noCabin);

  it('lists the devices with their latest meter and reading', async () => {
    const { rows } = await g.run(fleet, 'Devices', TODAY, all());
    expect(rows.map((r) => [r['Device'], r['Country'], r['Meter'], iso(r['Last reading'])])).toEqual([
      ['be-home', 'BE', '1SAG1100000002', '2026-10-28T12:00:00.000Z'],
      ['be-neighbour', 'BE', null, '2026-10-27T22:30:00.000Z'],
      ['no-cabin', 'NO', null, '2026-10-28T10:00:00.000Z'],
    ]);
    const age = await g.run(fleet, 'Age of last reading', TODAY, all());
    expect(age.rows.map((r) => r['Device'])).toEqual(['be-neighbour', 'no-cabin', 'be-home']);
  });

  it('counts rejects by reason', async () => {
    const series = await g.run(fleet, 'Rejects by reason', TODAY, all());
    expect(long(series.rows)).toEqual({ '2026-10-28T09:00:00.000Z|checksum': 2, '2026-10-28T09:00:00.000Z|unauthorized': 1 });
    const table = await g.run(fleet, 'Rejects in range by device and reason', TODAY, all());
    expect(table.rows.map((r) => [r['Device'], r['Reason'], Number(r['Rejects'])])).toEqual([
      ['be-home', 'checksum', 2],
      ['(unidentified)', 'unauthorized', 1],
    ]);
  });
});

describe('coverage', () => {
  it('ran every target of every panel of every dashboard', () => {
    // The costs dashboard has its own seed and test (costs.test.ts).
    const all = Object.values(DASHBOARDS).filter((d) => d.uid !== 'sem-costs').flatMap((d) => d.panels.flatMap((p) => p.targets.map((tg) => `${d.uid}#${p.id}#${tg.refId}`)));
    expect(all.filter((k) => !g.covered.has(k))).toEqual([]);
  });
});
