/**
 * Known data for the costs and alert tests, on top of the dashboard seed. Expected numbers in
 * costs.test.ts and alerts.test.ts follow from this story by hand. Times are UTC.
 *
 * be-costs (BE, Europe/Brussels): March 2026 at a steady 1 kWh per hour (the 23-hour day 2026-03-29
 * included), one 5 kW quarter-hour on Tue 17 March 18:00 local, 2 kWh exported on Sat 28 March; tariff
 * versions from 1 March and from Monday 16 March (a change in the middle of the month).
 * be-dynamic (BE): the 25-hour day 2026-10-25 at 1 kWh per hour on a dynamic tariff whose series has
 * prices for the first 24 of its hours. no-costs (NO, Europe/Oslo): October 2026 at 500 Wh per hour with
 * daily peak hours, and on the 20th a running hour at 11.1 kW. be-alerts (BE): half an hour on
 * 2026-10-28 at 3 kW of power (1.5 kW by its registers), 205 V on L1 and a power failure at 11:25.
 */
import type { Kysely } from 'kysely';
import type { InsertedReading } from '@sem/ingest';
import { writeReadings } from '@sem/ingest/testing';
import { E1, E2, H, iso, MeterStory, T1, T2 } from './meter-story.ts';


function beCosts(id: number): InsertedReading[] {
  const s = new MeterStory(id, { [T1]: 100_000, [T2]: 200_000, [E1]: 0, [E2]: 0 });
  s.step('2026-02-28T23:00:00Z'); // 1 March 00:00 local
  s.gap('2026-03-17T17:00:00Z', T1, 1000);
  s.step('2026-03-17T17:15:00Z', { [T1]: 1250 }); // 18:00-18:15 local: 1.25 kWh = 5 kW
  s.step('2026-03-17T18:00:00Z', { [T1]: 750 });
  s.gap('2026-03-28T09:00:00Z', T1, 1000);
  for (let h = 1; h <= 4; h++) s.step(iso(Date.parse('2026-03-28T09:00:00Z') + h * H), { [T1]: 1000, [E1]: 500 }); // 10:00-14:00 local
  s.gap('2026-03-31T22:00:00Z', T1, 1000); // 1 April 00:00 local (CEST)
  return s.rows;
}

function beDynamic(id: number): InsertedReading[] {
  const s = new MeterStory(id, { [T1]: 5_000, [T2]: 5_000 });
  s.step('2026-10-24T22:00:00Z'); // 25 October 00:00 local (CEST)
  for (let h = 1; h <= 25; h++) s.step(iso(Date.parse('2026-10-24T22:00:00Z') + h * H), { [T1]: 1000 });
  return s.rows;
}

/** Daily peak hours 17:00-18:00 local (15:00Z in CEST), in Wh. */
export const NO_PEAKS: readonly [string, number][] = [
  ['2026-10-05T15:00:00Z', 1800],
  ['2026-10-08T15:00:00Z', 2400],
  ['2026-10-12T15:00:00Z', 1200],
  ['2026-10-15T15:00:00Z', 2000],
  ['2026-10-15T16:00:00Z', 2100],
];

function noCosts(id: number): InsertedReading[] {
  const R = 'energy_import_wh';
  const s = new MeterStory(id, { [R]: 700_000 });
  s.step('2026-09-30T22:00:00Z'); // 1 October 00:00 local
  let last = Date.parse('2026-09-30T22:00:00Z');
  for (const [at, wh] of NO_PEAKS) {
    if (Date.parse(at) > last) s.gap(at, R, 500);
    last = Date.parse(at) + H;
    s.step(iso(Date.parse(at) + H), { [R]: wh });
  }
  s.gap('2026-10-20T16:00:00Z', R, 500);
  // 20 October 18:00-18:30 local: a reading a minute at 11.1 kW (185 Wh a minute).
  for (let m = 1; m <= 30; m++) s.step(iso(Date.parse('2026-10-20T16:00:00Z') + m * 60_000), { [R]: 185 }, { power_import_w: 11_100 });
  s.rows.find((r) => r.meter_time.toISOString() === '2026-10-20T16:00:00.000Z')!['power_import_w'] = 11_100;
  return s.rows;
}

function beAlerts(id: number): InsertedReading[] {
  const s = new MeterStory(id, { [T1]: 50_000, [T2]: 0 });
  s.step('2026-10-28T10:00:00Z');
  s.gap('2026-10-28T11:00:00Z', T1, 500);
  const extra = (m: number) => ({ power_import_w: 3000, voltage_l1_dv: 2050, voltage_l2_dv: 2300, voltage_l3_dv: 2300, power_failures: m >= 25 ? 2 : 1 });
  Object.assign(s.rows.at(-1)!, extra(0));
  // The registers say 1.5 kW (25 Wh a minute), the power 3 kW: the demand alert reads power, the peak registers.
  for (let m = 1; m <= 30; m++) s.step(iso(Date.parse('2026-10-28T11:00:00Z') + m * 60_000), { [T1]: 25 }, extra(m));
  return s.rows;
}

export interface CostSeedIds {
  beCosts: number;
  beDynamic: number;
  noCosts: number;
  beAlerts: number;
}

async function addDevice(db: Kysely<any>, name: string, zone: string, country: string): Promise<number> {
  const now = new Date();
  const r = await db.insertInto('device').values({ name, time_zone: zone, country, send_interval_s: 60, created_at: now, updated_at: now }).executeTakeFirstOrThrow();
  return Number(r.insertId);
}

async function addTariff(db: Kysely<any>, deviceId: number, validFrom: string, values: Record<string, unknown>, steps: [number, number][] = []): Promise<void> {
  const now = new Date();
  const r = await db.insertInto('tariff').values({ device_id: deviceId, valid_from: validFrom, created_at: now, updated_at: now, ...values }).executeTakeFirstOrThrow();
  if (steps.length) await db.insertInto('tariff_capacity_step').values(steps.map(([kw, price]) => ({ tariff_id: Number(r.insertId), from_kw: kw, monthly_price: price }))).execute();
}

export const DYNAMIC_SERIES = 'TEST-BE';

export async function seedCosts(db: Kysely<any>): Promise<CostSeedIds> {
  const ids: CostSeedIds = {
    beCosts: await addDevice(db, 'be-costs', 'Europe/Brussels', 'BE'),
    beDynamic: await addDevice(db, 'be-dynamic', 'Europe/Brussels', 'BE'),
    noCosts: await addDevice(db, 'no-costs', 'Europe/Oslo', 'NO'),
    beAlerts: await addDevice(db, 'be-alerts', 'Europe/Brussels', 'BE'),
  };
  for (const rows of [beCosts(ids.beCosts), beDynamic(ids.beDynamic), noCosts(ids.noCosts), beAlerts(ids.beAlerts)]) {
    // Month-long steps are spread as the expected figures assume: no step is a gap here (the gap rule has its own tests).
    for (let i = 0; i < rows.length; i += 200) await writeReadings(db, rows.slice(i, i + 200), [], { gapHorizonMs: 20 * 366 * 86_400_000 });
  }
  await addTariff(db, ids.beCosts, '2026-03-01', {
    import_day_price: 0.3, import_night_price: 0.2, import_weekend_price: 0.15, export_price: 0.05, fixed_monthly_fee: 9.3,
    capacity_kind: 'be', capacity_price_kw_year: 60,
  });
  await addTariff(db, ids.beCosts, '2026-03-16', {
    import_day_price: 0.4, import_night_price: 0.25, export_price: 0.04, fixed_monthly_fee: 12.4, capacity_kind: 'be', capacity_price_kw_year: 72,
  });
  await addTariff(db, ids.beDynamic, '2026-10-01', {
    import_day_price: 0.4, import_night_price: 0.25, import_weekend_price: 0.2, price_series: DYNAMIC_SERIES, dynamic_factor: 1, dynamic_markup: 0.02,
  });
  await addTariff(db, ids.beAlerts, '2026-10-01', { import_day_price: 0.3, capacity_kind: 'be', capacity_price_kw_year: 60 });
  await addTariff(db, ids.noCosts, '2026-10-01', { currency: 'NOK', import_day_price: 1, import_night_price: 0.8, capacity_kind: 'no' }, [[0, 100], [2, 200], [5, 300], [10, 500]]);
  // Hourly prices 0.10 + 0.01 i per kWh for hour i = 0..23 of 25 October (local), each as its four quarter-hours.
  const prices = Array.from({ length: 24 * 4 }, (_, k) => ({
    series: DYNAMIC_SERIES,
    starts_at: new Date(Date.parse('2026-10-24T22:00:00Z') + k * 900_000),
    price: (0.1 + 0.01 * Math.floor(k / 4)).toFixed(6),
  }));
  await db.insertInto('energy_price').values(prices).execute();
  return ids;
}
