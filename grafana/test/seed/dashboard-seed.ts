/**
 * Known data for the dashboard test. Every expected number in dashboards.test.ts follows from the
 * story below by hand (see the comments there). Times are UTC; local days are Europe/Brussels or Europe/Oslo.
 *
 * be-home (BE): a year of monthly peak days, gaps at a steady 100 W on tariff 2, the 23-hour day
 * 2026-03-29, a meter replacement on 2026-06-15, the 25-hour day 2026-10-25, and "today" 2026-10-28
 * with a dense last hour (11:00-12:00Z) of power, voltage, current and quality counters.
 * be-neighbour (BE): hourly voltages only, on 2026-10-27. no-cabin (NO): hourly import, Sep 30 - Oct 28.
 */
import { type Kysely, sql } from 'kysely';
import { recordRejects, type InsertedMbusReading, type InsertedReading } from '@sem/ingest';
import { writeReadings } from '@sem/ingest/testing';
import { E1, E2, H, iso, MeterStory, T1, T2 } from './meter-story.ts';

/** Monthly peak of be-home in kW, on the 10th at 18:00-18:15 local; `off` is the UTC offset that day. */
export const BE_MONTH_PEAKS: readonly { month: string; kw: number; off: number }[] = [
  { month: '2025-11', kw: 3.2, off: 1 },
  { month: '2025-12', kw: 4.0, off: 1 },
  { month: '2026-01', kw: 5.6, off: 1 },
  { month: '2026-02', kw: 2.0, off: 1 },
  { month: '2026-03', kw: 3.0, off: 1 },
  { month: '2026-04', kw: 1.2, off: 2 },
  { month: '2026-05', kw: 2.8, off: 2 },
  { month: '2026-06', kw: 3.6, off: 2 },
  { month: '2026-07', kw: 2.4, off: 2 },
  { month: '2026-08', kw: 2.6, off: 2 },
  { month: '2026-09', kw: 3.4, off: 2 },
  { month: '2026-10', kw: 6.0, off: 2 },
];

/** Local midnight of `date` in UTC for a zone `off` hours ahead of UTC. */
const midnight = (date: string, off: number) => Date.parse(`${date}T00:00:00Z`) - off * H;

function peakDay(s: MeterStory, date: string, kw: number, off: number): void {
  const m = midnight(date, off);
  s.gap(iso(m), T2, 100); // steady 100 W up to the day's midnight
  s.gap(iso(m + 18 * H), T2, 100); // 00:00-18:00 local: 1800 Wh
  s.step(iso(m + 18.25 * H), { [T1]: Math.round(kw * 250) }); // the peak quarter-hour
  s.step(iso(m + 24 * H), { [T2]: 575 }); // 18:15-24:00 local at 100 W
}

function beHome(id: number): InsertedReading[] {
  const s = new MeterStory(id, { [T1]: 1_000_000, [T2]: 2_000_000, [E1]: 10_000, [E2]: 20_000 });
  s.step('2025-10-31T23:00:00Z');
  for (const p of BE_MONTH_PEAKS) {
    peakDay(s, `${p.month}-10`, p.kw, p.off);
    if (p.month === '2026-03') {
      // 2026-03-29, 23 hours: 1 kW import and 200 W export on tariff 1 the whole day.
      s.gap('2026-03-28T23:00:00Z', T2, 100);
      for (let q = 1; q <= 92; q++) s.step(iso(Date.parse('2026-03-28T23:00:00Z') + q * 900_000), { [T1]: 250, [E1]: 50 });
    }
    if (p.month === '2026-06') {
      // 2026-06-15: 400 Wh/h until 12:00 local, then a new meter (registers restart) and 300 Wh/h.
      s.gap('2026-06-14T22:00:00Z', T2, 100);
      for (let h = 1; h <= 12; h++) s.step(iso(Date.parse('2026-06-14T22:00:00Z') + h * H), { [T1]: 400 });
      s.replace('2026-06-15T10:30:00Z', { [T1]: 20, [T2]: 5, [E1]: 0, [E2]: 0 });
      for (let h = 1; h <= 11; h++) s.step(iso(Date.parse('2026-06-15T10:30:00Z') + h * H), { [T1]: 300 });
      s.step('2026-06-15T22:00:00Z', { [T1]: 150 });
    }
  }
  // 2026-10-25, 25 hours: 500 W on tariff 2.
  s.gap('2026-10-24T22:00:00Z', T2, 100);
  for (let q = 1; q <= 100; q++) s.step(iso(Date.parse('2026-10-24T22:00:00Z') + q * 900_000), { [T2]: 125 });
  s.gap('2026-10-27T23:00:00Z', T2, 100);
  s.rows.at(-1)!['voltage_sags_l1'] = 3;
  s.rows.at(-1)!['voltage_swells_l2'] = 0;
  s.rows.at(-1)!['power_failures'] = 7;
  // Today 2026-10-28 (local midnight 2026-10-27T23:00Z): 6000 Wh until 11:00Z, then 3600 W every 10 s.
  for (let i = 0; i <= 360; i++) {
    s.step(iso(Date.parse('2026-10-28T11:00:00Z') + i * 10_000), { [T1]: i === 0 ? 6000 : 10 }, {
      power_import_w: 3600,
      power_export_w: 0,
      power_import_l1_w: 1800,
      power_import_l2_w: 1200,
      power_import_l3_w: 600,
      voltage_l1_dv: i % 2 === 0 ? 2290 : 2310,
      voltage_l2_dv: 2310,
      voltage_l3_dv: 2290,
      current_l1_ca: 800,
      current_l2_ca: 520,
      current_l3_ca: 260,
      voltage_sags_l1: i >= 180 ? 5 : 3,
      voltage_swells_l2: i >= 270 ? 1 : 0,
      power_failures: i >= 120 ? 8 : 7,
    });
  }
  return s.rows;
}

/** Voltage-only readings at hh:30 local on 2026-10-27 (UTC+1): volts by local hour. */
function hourlyVolts(id: number, volts: (hour: number) => number): InsertedReading[] {
  return Array.from({ length: 24 }, (_, h) => ({
    device_id: id,
    meter_time: new Date(Date.parse('2026-10-26T23:30:00Z') + h * H),
    voltage_l1_dv: Math.round(volts(h) * 10),
  }));
}

export const HOME_VOLTS = (h: number) => 230 + (h % 4);
export const NEIGHBOUR_VOLTS = (h: number) => [229, 231, 230, 234][h % 4]!;

function noCabin(id: number): InsertedReading[] {
  const R = 'energy_import_wh';
  const s = new MeterStory(id, { [R]: 500_000 });
  s.step('2026-09-29T22:00:00Z'); // 2026-09-30 00:00 in Oslo (UTC+2)
  s.gap('2026-09-30T21:00:00Z', R, 100);
  s.step('2026-09-30T22:00:00Z', { [R]: 9000 }); // Sep 30 23:00-24:00 local
  s.step('2026-09-30T23:00:00Z', { [R]: 7000 }); // Oct 1 00:00-01:00 local
  const peaks: [string, number][] = [
    ['2026-10-05T16:00:00Z', 4200],
    ['2026-10-08T16:00:00Z', 6100],
    ['2026-10-12T16:00:00Z', 3300],
    ['2026-10-15T15:00:00Z', 5500],
    ['2026-10-15T16:00:00Z', 5900],
    ['2026-10-20T16:00:00Z', 2000],
  ];
  for (const [at, wh] of peaks) {
    const start = Date.parse(at);
    if (Date.parse(s.rows.at(-1)!.meter_time.toISOString()) < start) s.gap(at, R, 100);
    s.step(iso(start + H), { [R]: wh });
  }
  s.gap('2026-10-28T10:00:00Z', R, 100);
  return s.rows;
}

function gasAndWater(id: number): InsertedMbusReading[] {
  const gas: [string, string][] = [
    ['2026-10-25T23:00:00Z', '999.000'],
    ['2026-10-27T23:00:00Z', '1000.000'],
    ['2026-10-28T05:00:00Z', '1000.600'],
    ['2026-10-28T11:00:00Z', '1001.250'],
  ];
  const water: [string, string][] = [
    ['2026-10-27T23:00:00Z', '50.000'],
    ['2026-10-28T07:00:00Z', '50.180'],
    ['2026-10-28T11:00:00Z', '50.320'],
  ];
  return [
    ...gas.map(([at, value]) => ({ device_id: id, channel: 1, device_type: 3, captured_at: new Date(at), value })),
    ...water.map(([at, value]) => ({ device_id: id, channel: 2, device_type: 7, captured_at: new Date(at), value })),
  ];
}

export interface SeedIds {
  beHome: number;
  beNeighbour: number;
  noCabin: number;
}

async function addDevice(db: Kysely<any>, name: string, zone: string, country: string, sendIntervalS: number): Promise<number> {
  const now = new Date();
  const r = await db.insertInto('device').values({ name, time_zone: zone, country, send_interval_s: sendIntervalS, created_at: now, updated_at: now }).executeTakeFirstOrThrow();
  return Number(r.insertId);
}

// The story has sparse stretches (a month between readings) whose expected figures are spread evenly: written with a
// horizon longer than the story, so no step is a gap (the gap rule has its own tests: packages/ingest/test/rollups.gap.test.ts).
const NO_GAPS = { gapHorizonMs: 20 * 366 * 86_400_000 };

/** Writes the story through the same path as the API: raw rows, then applyRollups in the same transaction. */
export async function seedDashboards(db: Kysely<any>): Promise<SeedIds> {
  const ids: SeedIds = {
    beHome: await addDevice(db, 'be-home', 'Europe/Brussels', 'BE', 10),
    beNeighbour: await addDevice(db, 'be-neighbour', 'Europe/Brussels', 'BE', 3600),
    noCabin: await addDevice(db, 'no-cabin', 'Europe/Oslo', 'NO', 10),
  };
  const home = [...beHome(ids.beHome), ...hourlyVolts(ids.beHome, HOME_VOLTS)].sort((a, b) => a.meter_time.getTime() - b.meter_time.getTime());
  // A gas or water capture rides on the reading with its time; the others come late on an empty reading.
  const captures = gasAndWater(ids.beHome);
  const times = new Set(home.map((r) => r.meter_time.getTime()));
  for (let i = 0; i < home.length; i += 100) {
    const part = home.slice(i, i + 100);
    const inPart = new Set(part.map((r) => r.meter_time.getTime()));
    await writeReadings(db, part, captures.filter((c) => inPart.has(c.captured_at.getTime())), NO_GAPS);
  }
  await writeReadings(db, [], captures.filter((c) => !times.has(c.captured_at.getTime())), NO_GAPS);
  await writeReadings(db, hourlyVolts(ids.beNeighbour, NEIGHBOUR_VOLTS), [], NO_GAPS);
  await writeReadings(db, noCabin(ids.noCabin), [], NO_GAPS);

  const seen = new Date('2026-10-28T12:00:00Z');
  await sql`INSERT INTO device_meter (device_id, meter_id, protocol, header, version, vendor, first_seen_at, last_seen_at) VALUES
    (${ids.beHome}, '1SAG1100000001', 'p1', 'FLU5\\\\253769484_A', '50217', 'Sagemcom', ${new Date('2025-10-31T23:00:00Z')}, ${new Date('2026-06-15T10:00:00Z')}),
    (${ids.beHome}, '1SAG1100000002', 'p1', 'FLU5\\\\253769484_A', '50217', 'Sagemcom', ${new Date('2026-06-15T10:30:00Z')}, ${seen})`.execute(db);
  await sql`INSERT INTO demand_peak (device_id, peak_at, demand_w, period_end, first_seen_at) VALUES
    (${ids.beHome}, ${new Date('2026-09-10T16:00:00Z')}, 3400, ${new Date('2026-09-30T22:00:00Z')}, ${seen}),
    (${ids.beHome}, ${new Date('2026-10-10T16:00:00Z')}, 6050, NULL, ${seen})`.execute(db);
  // The meter's 0-0:98.1.0 history as the write path keeps it by month boundary: September (its peak also in
  // demand_peak above), August without a peak (a zero month), and October 2025, before SEM had any data.
  await sql`INSERT INTO demand_peak_month (device_id, period_end, peak_at, demand_w, first_seen_at) VALUES
    (${ids.beHome}, ${new Date('2026-09-30T22:00:00Z')}, ${new Date('2026-09-10T16:00:00Z')}, 3400, ${seen}),
    (${ids.beHome}, ${new Date('2026-08-31T22:00:00Z')}, NULL, 0, ${seen}),
    (${ids.beHome}, ${new Date('2025-10-31T23:00:00Z')}, ${new Date('2025-10-14T17:00:00Z')}, 2900, ${seen})`.execute(db);
  await sql`INSERT INTO power_failure_event (device_id, ended_at, duration_s, first_seen_at) VALUES
    (${ids.beHome}, ${new Date('2026-10-20T08:00:00Z')}, 300, ${seen}),
    (${ids.beHome}, ${new Date('2026-08-01T12:00:00Z')}, 7200, ${seen})`.execute(db);
  const at = new Date('2026-10-28T09:10:00Z');
  await recordRejects(db, [
    { at, deviceId: ids.beHome, reason: 'checksum' },
    { at, deviceId: ids.beHome, reason: 'checksum' },
    { at, deviceId: null, reason: 'unauthorized' },
  ]);
  return ids;
}
