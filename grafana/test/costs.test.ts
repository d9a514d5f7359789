/**
 * The costs dashboard's queries, expanded as Grafana expands them and run as the read-only user,
 * against known answers worked out by hand from seed/cost-seed.ts (a tariff change on Monday 16 March,
 * the 23-hour 29 March, the 25-hour 25 October with dynamic prices, Norwegian capacity steps).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DASHBOARDS } from '../src/dashboards.ts';
import type { VariableValue } from '../src/grafana-macros.ts';
import { openGrafanaDatabase, type GrafanaDatabase } from './grafana-database.ts';
import { toMs, type Row } from './grafana-runner.ts';
import { seedCosts, type CostSeedIds } from './seed/cost-seed.ts';

const costs = DASHBOARDS['costs.json']!;
let db: GrafanaDatabase;
let ids: CostSeedIds;

beforeAll(async () => {
  db = await openGrafanaDatabase('grafana_costs', async (k) => {
    ids = await seedCosts(k);
  });
}, 120_000);
afterAll(async () => db?.close());

const one = (id: number): Record<string, VariableValue> => ({ device: { value: String(id) } });
const close = (v: unknown, want: number, digits = 6) => expect(Number(v), `${v} vs ${want}`).toBeCloseTo(want, digits);
const iso = (v: unknown) => new Date(toMs(v)).toISOString();
const run = async (title: string, range: { from: string; to: string }, id: number): Promise<Row[]> => (await db.g.run(costs, title, range, one(id))).rows;

// be-costs, range ending Tue 31 March 23:00 local: "today" is 31 March, v2 (from 16 March) applies.
const MARCH = { from: '2026-02-28T23:00:00Z', to: '2026-03-31T21:00:00Z' };
// Import: v1 (1-15 March: 10 weekdays, 5 weekend days) 150 h × 0.30 + 90 h × 0.20 + 120 h × 0.15 = 81.00;
// v2 (16-31 March: 12 weekdays, 4 weekend days of which 29 March has 23 h) 180 h × 0.40 + 108 h × 0.25
// + 95 h × 0.25 = 122.75, plus the 5 kW quarter-hour's extra 1 kWh at the day price 0.40 = 123.15.
const MARCH_IMPORT = 81 + 123.15;
const MARCH_EXPORT = 2 * 0.04; // 4 h × 500 Wh on Saturday 28 March at v2's 0.04
const MARCH_FIXED = 15 * (9.3 / 31) + 16 * (12.4 / 31); // 4.50 + 6.40
// 5 kW peak: v1 60 €/kW/year = 25 €/month, v2 72 €/kW/year = 30 €/month, each for its days of 31.
const MARCH_CAPACITY = (15 * 25 + 16 * 30) / 31;
const MARCH_TOTAL = MARCH_IMPORT - MARCH_EXPORT + MARCH_FIXED + MARCH_CAPACITY;
// 31 March, a Tuesday: 15 day hours × 0.40 + 9 night hours × 0.25, a day of the fee and of the capacity charge.
const MARCH_31 = { import: 15 * 0.4 + 9 * 0.25, fixed: 12.4 / 31, capacity: 30 / 31 };

describe('costs with a tariff change in the middle of a month and the 23-hour day', () => {
  it('gives the cost today, this month and this year', async () => {
    const [r] = await run('Cost today, this month, this year', MARCH, ids.beCosts);
    close(r!['Today'], MARCH_31.import + MARCH_31.fixed + MARCH_31.capacity);
    close(r!['This month'], MARCH_TOTAL);
    close(r!['This year'], MARCH_TOTAL);
  });

  it('splits them into import, export compensation, fixed fees and capacity', async () => {
    const rows = await run('Costs by component', MARCH, ids.beCosts);
    expect(rows.map((r) => [r['Period'], r['Currency']])).toEqual([['Today', 'EUR'], ['This month', 'EUR'], ['This year', 'EUR']]);
    const [today, month, year] = rows;
    close(today!['Import'], MARCH_31.import);
    close(today!['Export compensation'], 0);
    close(today!['Fixed fees'], MARCH_31.fixed);
    close(today!['Capacity'], MARCH_31.capacity);
    for (const r of [month!, year!]) {
      close(r['Import'], MARCH_IMPORT);
      close(r['Export compensation'], MARCH_EXPORT);
      close(r['Fixed fees'], MARCH_FIXED);
      close(r['Capacity'], MARCH_CAPACITY);
      close(r['Total'], MARCH_TOTAL);
    }
  });

  it('charges each day by the version of that day', async () => {
    const rows = await run('Cost per day', MARCH, ids.beCosts);
    expect(rows).toHaveLength(31);
    const day = (d: string) => rows.find((r) => iso(r['time']) === d)!;
    // Sunday 1 March, v1: 24 h × 0.15 weekend; Sunday 29 March (23 h), v2 without a weekend price: 23 h × 0.25 night.
    close(day('2026-02-28T23:00:00.000Z')['Energy'], 24 * 0.15);
    close(day('2026-02-28T23:00:00.000Z')['Fixed fees'], 0.3);
    close(day('2026-02-28T23:00:00.000Z')['Capacity'], 25 / 31);
    close(day('2026-03-28T23:00:00.000Z')['Energy'], 23 * 0.25);
    close(day('2026-03-28T23:00:00.000Z')['Capacity'], 30 / 31);
    // Saturday 28 March: 24 h × 0.25 less 2 kWh × 0.04 exported.
    close(day('2026-03-27T23:00:00.000Z')['Energy'], 24 * 0.25 - 0.08);
    // Sunday 15 March is v1's last day, Monday 16 March v2's first: 15 h × 0.40 + 9 h × 0.25.
    close(day('2026-03-14T23:00:00.000Z')['Energy'], 24 * 0.15);
    close(day('2026-03-15T23:00:00.000Z')['Energy'], 15 * 0.4 + 9 * 0.25);
    close(rows.reduce((s, r) => s + Number(r['Energy']) + Number(r['Fixed fees']) + Number(r['Capacity']), 0), MARCH_TOTAL);
  });

  it("prices each hour by its period: Tuesday 17 March's peak hour at the day price", async () => {
    const rows = await run('Cost per hour', { from: '2026-03-17T00:00:00Z', to: '2026-03-17T22:59:59Z' }, ids.beCosts);
    const byHour = Object.fromEntries(rows.map((r) => [iso(r['time']).slice(11, 16), Number(r['Energy cost'])]));
    close(byHour['05:00'], 0.25); // 06:00 local: night
    close(byHour['06:00'], 0.4); // 07:00 local: day
    close(byHour['17:00'], 2 * 0.4); // 18:00 local: the 5 kW quarter-hour's hour holds 2 kWh
    close(byHour['21:00'], 0.25); // 22:00 local: night
  });

  it("shows this month's capacity cost so far and the month at this peak (BE)", async () => {
    const [r] = await run("This month's capacity cost (BE)", MARCH, ids.beCosts);
    expect(r).toMatchObject({ 'Peak so far': 5, 'Billed peak': 5, Currency: 'EUR' });
    close(r!['Cost so far'], MARCH_CAPACITY);
    close(r!['Month at this peak'], 30);
    // A Norwegian tariff has no BE capacity row.
    expect(await run("This month's capacity cost (BE)", { from: '2026-10-01T00:00:00Z', to: '2026-10-20T16:30:00Z' }, ids.noCosts)).toEqual([]);
  });

  it('says what a new peak now would add (BE): 3 kW running over a billed 2.5 kW minimum', async () => {
    // be-alerts: its registers make the month's peak 1.5 kW (billed at the 2.5 kW minimum); power says 3 kW.
    const [r] = await run('What a new peak now would add (BE)', { from: '2026-10-28T10:00:00Z', to: '2026-10-28T11:30:00Z' }, ids.beAlerts);
    close(r!['Running 15-minute demand'], 3);
    close(r!['Billed peak'], 2.5);
    close(r!['Would add this month'], 0.5 * 5);
    close(r!['Per kW above the peak'], 5);
  });
});

describe('dynamic prices on the 25-hour day', () => {
  const OCT_25 = { from: '2026-10-24T22:00:00Z', to: '2026-10-25T22:30:00Z' };

  it('prices 24 hours from the series plus the markup, the 25th at the period price', async () => {
    const rows = await run('Cost per hour', OCT_25, ids.beDynamic);
    const costsByHour = rows.map((r) => Number(r['Energy cost']));
    expect(rows).toHaveLength(25);
    expect(iso(rows[0]!['time'])).toBe('2026-10-24T22:00:00.000Z');
    for (let i = 0; i < 24; i++) close(costsByHour[i], 0.1 + 0.01 * i + 0.02);
    close(costsByHour[24], 0.2); // no price for the last hour: Sunday, the weekend price
    const [r] = await run('Cost today, this month, this year', OCT_25, ids.beDynamic);
    close(r!['Today'], 24 * 0.12 + 0.01 * 276 + 0.2);
  });
});

describe('Norwegian capacity steps', () => {
  const OCT_20 = { from: '2026-10-20T00:00:00Z', to: '2026-10-20T16:30:00Z' };

  it('finds the step from the mean of the 3 highest daily peak hours', async () => {
    // Daily peaks: 20 Oct 5.55 kWh (half an hour at 11.1 kW), 8 Oct 2.4, 15 Oct 2.1 (its 2.0 is the same day): mean 3.35 kW.
    const [r] = await run("This month's capacity step (NO)", OCT_20, ids.noCosts);
    close(r!['Mean of 3 highest daily peaks'], 3.35);
    expect(r).toMatchObject({ 'Step from': 2, 'Step price per month': 200, 'Next step at': 5, 'Next step adds': 100, Currency: 'NOK' });
    close(r!['Cost so far'], (20 * 200) / 31);
  });

  it('says what this hour would add if it ran at the running hour until its end', async () => {
    // 11.1 kW would make today's peak 11.1: (11.1 + 2.4 + 2.1) / 3 = 5.2 kW, step 5 (300) instead of step 2 (200).
    const [r] = await run('What a new peak now would add (NO)', OCT_20, ids.noCosts);
    close(r!['Running hour'], 11.1);
    close(r!['Mean now'], 3.35);
    close(r!['Mean with this hour'], 5.2);
    close(r!['Would add this month'], 100);
  });
});

describe('coverage', () => {
  it('ran every target of every costs panel', () => {
    const all = costs.panels.flatMap((p) => p.targets.map((tg) => `${costs.uid}#${p.id}#${tg.refId}`));
    expect(all.filter((k) => !db.g.covered.has(k))).toEqual([]);
  });
});
