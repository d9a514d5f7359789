import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, testDbPrefix, type TestDatabase } from '@sem/db/testing';
import { QUARTER_COLUMNS, REGISTER_COLUMNS, ROLLUP_TABLES } from '@sem/db';
import { recordRejects, RejectCounter } from '../src/rollups/reject-counter.ts';
import type { InsertedReading } from '../src/rollups/rollup.types.ts';
import { writeReadings, type CarriedMbus } from '../src/testing/write-readings.ts';
import { STAT_MERGE } from '../src/rollups/stats-rollup.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase(testDbPrefix('rollups'), { fresh: true });
});
afterAll(async () => {
  await t?.destroy();
});
beforeEach(async () => {
  await t.clear(ROLLUP_TABLES);
});

async function device(name: string, zone = 'Europe/Brussels', country = 'BE'): Promise<number> {
  const now = new Date();
  const r = await t.db.insertInto('device').values({ name, time_zone: zone, country, send_interval_s: 1, created_at: now, updated_at: now }).executeTakeFirstOrThrow();
  return Number(r.insertId);
}

const H = 3_600_000;
const Q = 900_000;

/** Readings every `step` ms from `from` to `to`, importing `watts` steadily (register in Wh, tariff 1). */
function steady(deviceId: number, from: number, to: number, step: number, watts: number, startWh = 1_000_000): InsertedReading[] {
  const rows: InsertedReading[] = [];
  for (let ms = from; ms <= to; ms += step) {
    const wh = startWh + Math.round(((ms - from) / H) * watts);
    rows.push({ device_id: deviceId, meter_time: new Date(ms), energy_import_t1_wh: wh, energy_import_t2_wh: 500, energy_export_t1_wh: 0, energy_export_t2_wh: 0, power_import_w: watts });
  }
  return rows;
}

async function days(deviceId: number) {
  const r = await sql<{ local_date: string; day_start: Date; imp_wh: number; imp_t1_wh: number; imp_t2_wh: number; gas_l: number }>`
    SELECT DATE_FORMAT(local_date, '%Y-%m-%d') AS local_date, day_start, imp_wh, imp_t1_wh, imp_t2_wh, gas_l FROM rollup_day WHERE device_id = ${deviceId} ORDER BY local_date`.execute(t.db);
  return r.rows.map((x) => ({ ...x, imp_wh: Number(x.imp_wh), imp_t1_wh: Number(x.imp_t1_wh), imp_t2_wh: Number(x.imp_t2_wh), gas_l: Number(x.gas_l) }));
}

describe('applyRollups', () => {
  it('gives the 23- and 25-hour local days their own energy', async () => {
    const id = await device('dst');
    const id2 = await device('dst autumn');
    await writeReadings(t.db, steady(id, Date.UTC(2026, 2, 28, 23), Date.UTC(2026, 2, 29, 22), Q, 1000));
    await writeReadings(t.db, steady(id2, Date.UTC(2026, 9, 24, 22), Date.UTC(2026, 9, 25, 23), Q, 1000, 2_000_000));
    const d = [...(await days(id)), ...(await days(id2))];
    // The last reading, at the next local midnight, carries power: the next day has a row for its statistics.
    expect(d.map((x) => [x.local_date, x.imp_wh, x.imp_t1_wh, x.imp_t2_wh])).toEqual([
      ['2026-03-29', 23_000, 23_000, 0],
      ['2026-03-30', 0, 0, 0],
      ['2026-10-25', 25_000, 25_000, 0],
      ['2026-10-26', 0, 0, 0],
    ]);
    expect(d[0]!.day_start).toEqual(new Date(Date.UTC(2026, 2, 28, 23)));
    expect(d[2]!.day_start).toEqual(new Date(Date.UTC(2026, 9, 24, 22)));
    const hours = await sql<{ n: number; h2: number }>`
      SELECT COUNT(*) AS n, SUM(local_hour = 2) AS h2 FROM rollup_hour WHERE device_id = ${id2} AND local_date = '2026-10-25'`.execute(t.db);
    expect(Number(hours.rows[0]!.n)).toBe(25);
    expect(Number(hours.rows[0]!.h2)).toBe(2);
  });

  it('counts a replaced meter from its first value and spreads a gap over its hours', async () => {
    const id = await device('swap');
    const at = (h: number, m = 0) => new Date(Date.UTC(2026, 5, 10, h, m));
    const r = (meter_time: Date, wh: number): InsertedReading => ({ device_id: id, meter_time, energy_import_wh: wh });
    // 10:00-11:00 +1000 Wh; replacement at 11:00 (register 0 -> 40); 11:00-12:00 +400 on the new meter; 12:00 -> 15:00 gap, +3000.
    await writeReadings(t.db, [r(at(10), 900_000), r(at(11), 901_000), r(new Date(at(11).getTime() + 1000), 40), r(at(12), 440), r(at(15), 3440)]);
    const rows = await sql<{ h: number; imp_wh: number }>`
      SELECT HOUR(bucket_start) AS h, imp_wh FROM rollup_hour WHERE device_id = ${id} ORDER BY bucket_start`.execute(t.db);
    expect(rows.rows.map((x) => [Number(x.h), Number(x.imp_wh)]).filter((x) => x[1] !== 0)).toEqual([
      [10, 1000],
      [11, 400],
      [12, 1000],
      [13, 1000],
      [14, 1000],
    ]);
    expect((await days(id))[0]!.imp_wh).toBe(4400);
  });

  it('ends with the same rollups whether rows arrive in order, shuffled, batched or repeated', async () => {
    const a = await device('ordered');
    const b = await device('shuffled');
    let seed = 42;
    const rnd = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const rowsFor = (id: number) => {
      let wh = 10_000;
      const out: InsertedReading[] = [];
      for (let i = 0, ms = Date.UTC(2026, 9, 24, 20); i < 200; i++) {
        ms += 1000 + Math.floor(rnd() * 600_000);
        wh = i === 100 ? 15 : wh + Math.floor(rnd() * 300);
        out.push({ device_id: id, meter_time: new Date(ms), energy_import_wh: wh, power_import_w: Math.floor(rnd() * 5000), voltage_l1_dv: 2200 + Math.floor(rnd() * 200) });
      }
      return out;
    };
    const ordered = rowsFor(a);
    seed = 42;
    const shuffled = rowsFor(b);
    const c = await device('split');
    seed = 42;
    // Each reading sent in two parts at one meter time (HAN list 2, then list 3 with the register), parts in any order.
    const split = rowsFor(c).flatMap(({ energy_import_wh, ...list2 }) => [list2, { device_id: list2.device_id, meter_time: list2.meter_time, energy_import_wh }]);
    // Every telegram repeats the latest gas capture (a new one every 7th reading), as real meters do.
    const gasFor = (rows: readonly InsertedReading[]) =>
      rows.map((r, i): CarriedMbus => ({ device_id: r.device_id, channel: 1, device_type: 3, captured_at: rows[i - (i % 7)]!.meter_time, carried_at: r.meter_time, value: (100 + Math.floor(i / 7) * 0.125).toFixed(3) }));
    const gasA = gasFor(ordered);
    const gasB = gasFor(shuffled);
    for (let i = 0; i < ordered.length; i++) await writeReadings(t.db, [ordered[i]!], [gasA[i]!]);
    const mixed = [...shuffled.keys(), ...[...shuffled.keys()].slice(0, 25)].map((i) => ({ i, k: rnd() })).sort((x, y) => x.k - y.k).map((x) => x.i);
    for (let j = 0; j < mixed.length; ) {
      const n = 1 + Math.floor(rnd() * 40);
      const part = mixed.slice(j, j + n);
      await writeReadings(t.db, part.map((i) => shuffled[i]!), part.map((i) => gasB[i]!));
      j += n;
    }
    const splitOrder = [...split.keys(), ...[...split.keys()].slice(0, 40)].map((i) => ({ i, k: rnd() })).sort((x, y) => x.k - y.k).map((x) => x.i);
    for (let j = 0; j < splitOrder.length; ) {
      const n = 1 + Math.floor(rnd() * 40);
      await writeReadings(t.db, splitOrder.slice(j, j + n).map((i) => split[i]!));
      j += n;
    }
    // In order, one at a time, each reading followed by a register-less one (HAN list 1: voltage only, 1 ms later).
    const e = await device('list1-between');
    seed = 42;
    for (const r of rowsFor(e)) {
      await writeReadings(t.db, [r]);
      await writeReadings(t.db, [{ device_id: e, meter_time: new Date(r.meter_time.getTime() + 1), voltage_l1_dv: 2300 }]);
    }
    const stored = await t.db.selectFrom('reading').select(['meter_time', 'energy_import_wh', 'power_import_w', 'voltage_l1_dv']).where('device_id', '=', c).orderBy('meter_time').execute();
    expect(stored).toEqual(ordered.map((r) => ({ meter_time: r.meter_time, energy_import_wh: r.energy_import_wh, power_import_w: r.power_import_w, voltage_l1_dv: r.voltage_l1_dv })));
    for (const table of ['rollup_quarter', 'rollup_hour', 'rollup_day']) {
      const energy = async (id: number) => {
        const r = await sql<Record<string, unknown>>`SELECT * FROM ${sql.table(table)} WHERE device_id = ${id} ORDER BY 2`.execute(t.db);
        return r.rows.map((x) => ({ at: x.bucket_start ?? x.local_date, imp_wh: Number(x.imp_wh) }));
      };
      expect(await energy(e), table).toEqual(await energy(a));
    }
    for (const table of ['rollup_minute', 'rollup_quarter', 'rollup_hour', 'rollup_day']) {
      const dump = async (id: number) => {
        const r = await sql<Record<string, unknown>>`SELECT * FROM ${sql.table(table)} WHERE device_id = ${id} ORDER BY 2`.execute(t.db);
        return r.rows.map(({ device_id: _d, ...rest }) => Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, typeof v === 'number' ? Number(v.toFixed(6)) : v])));
      };
      const want = await dump(a);
      expect(want.length, table).toBeGreaterThan(0);
      expect(await dump(b), table).toEqual(want);
      // The split device sent no gas: everything else matches the whole readings.
      const noGas = (rows: Record<string, unknown>[]) => rows.map(({ gas_l: _g, ...rest }) => rest);
      expect(noGas(await dump(c)), table).toEqual(noGas(want));
    }
    // Each quarter-hour's energy is exactly the sum of its minutes' energy.
    const mismatched = await sql<{ n: number }>`
      SELECT COUNT(*) AS n FROM rollup_quarter q LEFT JOIN (
        SELECT device_id, FROM_UNIXTIME(FLOOR(UNIX_TIMESTAMP(bucket_start) / 900) * 900) AS qs, SUM(imp_wh) AS imp, SUM(exp_wh) AS exp FROM rollup_minute GROUP BY device_id, qs
      ) m ON m.device_id = q.device_id AND m.qs = q.bucket_start
      WHERE q.device_id IN (${a}, ${b}, ${c}, ${e}) AND (COALESCE(m.imp, 0) <> q.imp_wh OR COALESCE(m.exp, 0) <> q.exp_wh)`.execute(t.db);
    expect(Number(mismatched.rows[0]!.n)).toBe(0);
    const minuteTotal = await sql<{ wh: number }>`SELECT SUM(imp_wh) AS wh FROM rollup_minute WHERE device_id = ${a}`.execute(t.db);
    const d = await days(a);
    const total = d.reduce((s, x) => s + x.imp_wh, 0);
    const expected = ordered.reduce((s, r, i) => (i === 0 || i === 100 ? s : s + (r.energy_import_wh as number) - (ordered[i - 1]!.energy_import_wh as number)), 0);
    expect(total).toBe(expected);
    expect(Number(minuteTotal.rows[0]!.wh)).toBe(expected);
    expect(d.reduce((s, x) => s + x.gas_l, 0)).toBe((Math.ceil(ordered.length / 7) - 1) * 125);
  });

  it('keeps the energy imported and exported per minute, adding up to the quarter-hours, also for a gap booked at its end', async () => {
    const id = await device('minute-energy');
    const at = (h: number, m: number, s = 0) => new Date(Date.UTC(2026, 0, 8, h, m, s));
    const r = (meter_time: Date, imp: number, exp: number): InsertedReading => ({ device_id: id, meter_time, energy_import_wh: imp, energy_export_wh: exp });
    // 10:00:00 → 10:02:30 +150 Wh (1 Wh/s), → 10:20:00 +1050 Wh import and +105 Wh export; then 9 days of silence, +5000 Wh.
    await writeReadings(t.db, [r(at(10, 0), 1000, 0), r(at(10, 2, 30), 1150, 0), r(at(10, 20), 2200, 105)]);
    await writeReadings(t.db, [r(new Date(at(10, 20).getTime() + 9 * 24 * H + 90_000), 7200, 105)]);
    const minutes = await sql<{ m: string; imp_wh: number; exp_wh: number }>`
      SELECT DATE_FORMAT(bucket_start, '%d %H:%i') AS m, imp_wh, exp_wh FROM rollup_minute WHERE device_id = ${id} ORDER BY bucket_start`.execute(t.db);
    const got = minutes.rows.map((x) => [x.m, Number(x.imp_wh), Number(x.exp_wh)]);
    expect(got).toEqual([
      ['08 10:00', 60, 0],
      ['08 10:01', 60, 0],
      ['08 10:02', 60, 3], // 30 + 30 Wh on both sides of 10:02:30; export 0.1 Wh/s from 10:02:30: 3 Wh
      ...Array.from({ length: 17 }, (_, i) => [`08 10:${String(3 + i).padStart(2, '0')}`, 60, 6]),
      ['17 10:21', 5000, 0], // beyond the gap horizon: booked whole in the minute of the reading that ends it
    ]);
    const quarters = await sql<{ q: string; imp_wh: number; exp_wh: number }>`
      SELECT DATE_FORMAT(bucket_start, '%d %H:%i') AS q, imp_wh, exp_wh FROM rollup_quarter WHERE device_id = ${id} ORDER BY bucket_start`.execute(t.db);
    expect(quarters.rows.map((x) => [x.q, Number(x.imp_wh), Number(x.exp_wh)])).toEqual([
      ['08 10:00', 900, 3 + 12 * 6],
      ['08 10:15', 300, 5 * 6],
      ['17 10:15', 5000, 0],
    ]);
  });

  it('counts a register filled in later at a stored meter time, also where the total is the sum of both tariffs', async () => {
    const id = await device('fill-later');
    const at = (h: number) => new Date(Date.UTC(2026, 0, 7, h));
    const r = (meter_time: Date, cols: Record<string, number>): InsertedReading => ({ device_id: id, meter_time, ...cols });
    await writeReadings(t.db, [r(at(10), { energy_import_t1_wh: 1000, energy_import_t2_wh: 500, power_import_w: 700 })]);
    await writeReadings(t.db, [r(at(12), { energy_import_t1_wh: 2000, energy_import_t2_wh: 700 })]);
    // 11:00 first without tariff 2; tariff 2 (and a stored tariff 1 value, which must not change) come later.
    await writeReadings(t.db, [r(at(11), { energy_import_t1_wh: 1600, power_import_w: 900 })]);
    await writeReadings(t.db, [r(at(11), { energy_import_t1_wh: 9999, energy_import_t2_wh: 600, power_import_w: 1 })]);
    const hours = await sql<{ bucket_start: Date; imp_wh: number; imp_t1_wh: number; imp_t2_wh: number; p_imp_n: number; p_imp_sum: number }>`
      SELECT bucket_start, imp_wh, imp_t1_wh, imp_t2_wh, p_imp_n, p_imp_sum FROM rollup_hour WHERE device_id = ${id} ORDER BY bucket_start`.execute(t.db);
    expect(hours.rows.map((h) => ({ ...h, p_imp_sum: Number(h.p_imp_sum) }))).toEqual([
      { bucket_start: at(10), imp_wh: 700, imp_t1_wh: 600, imp_t2_wh: 100, p_imp_n: 1, p_imp_sum: 700 },
      { bucket_start: at(11), imp_wh: 500, imp_t1_wh: 400, imp_t2_wh: 100, p_imp_n: 1, p_imp_sum: 900 },
    ]);
    const row = await t.db.selectFrom('reading').select(['energy_import_t1_wh', 'energy_import_t2_wh', 'power_import_w']).where('device_id', '=', id).where('meter_time', '=', at(11)).executeTakeFirstOrThrow();
    expect(row).toEqual({ energy_import_t1_wh: 1600, energy_import_t2_wh: 600, power_import_w: 900 });
  });

  it('has the column defaults the upserts rely on when they leave a no-op column out', async () => {
    const added = new Set([...REGISTER_COLUMNS, ...QUARTER_COLUMNS, 'rejects', ...Object.entries(STAT_MERGE).filter(([, m]) => m === 'add' || m.startsWith('add/')).map(([c]) => c)]);
    const extremes = new Set(Object.entries(STAT_MERGE).filter(([, m]) => m === 'min' || m === 'max').map(([c]) => c));
    const cols = await sql<{ TABLE_NAME: string; COLUMN_NAME: string; IS_NULLABLE: string; COLUMN_DEFAULT: string | null }>`
      SELECT TABLE_NAME, COLUMN_NAME, IS_NULLABLE, COLUMN_DEFAULT FROM information_schema.COLUMNS
      WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN ('rollup_minute', 'rollup_quarter', 'rollup_hour', 'rollup_day', 'rollup_reject_hour')`.execute(t.db);
    let checked = 0;
    for (const c of cols.rows) {
      const where = `${c.TABLE_NAME}.${c.COLUMN_NAME}`;
      if (added.has(c.COLUMN_NAME)) expect({ where, nullable: c.IS_NULLABLE, dflt: c.COLUMN_DEFAULT }).toEqual({ where, nullable: 'NO', dflt: '0' });
      else if (extremes.has(c.COLUMN_NAME)) expect({ where, nullable: c.IS_NULLABLE, dflt: c.COLUMN_DEFAULT }).toEqual({ where, nullable: 'YES', dflt: 'NULL' });
      else continue;
      checked++;
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('keeps average, minimum and maximum per minute', async () => {
    const id = await device('stats');
    const base = Date.UTC(2026, 0, 5, 8, 0);
    const volts = [2301, 2290, 2315];
    await writeReadings(t.db, volts.map((v, i) => ({ device_id: id, meter_time: new Date(base + i * 10_000), voltage_l1_dv: v, power_import_w: 100 * (i + 1) })));
    const r = await sql<Record<string, number>>`SELECT u_l1_sum / u_l1_n AS avg, u_l1_min AS min, u_l1_max AS max, p_imp_sum / p_imp_n AS p, u_l2_n AS n2 FROM rollup_minute WHERE device_id = ${id}`.execute(t.db);
    expect(Number(r.rows[0]!.avg)).toBeCloseTo(230.2, 6);
    expect(r.rows[0]!.min).toBeCloseTo(229, 4);
    expect(r.rows[0]!.max).toBeCloseTo(231.5, 4);
    expect(Number(r.rows[0]!.p)).toBe(200);
    expect(Number(r.rows[0]!.n2)).toBe(0);
  });

  it('keeps average, minimum and maximum per quarter-hour, hour and local day, also for a device without registers', async () => {
    const id = await device('levels');
    // 2026-03-29 (23 hours in Brussels): 08:00Z 230 V, 08:20Z 240 V, 09:05Z 220 V; the next local day starts 22:00Z.
    const v = (iso: string, dv: number): InsertedReading => ({ device_id: id, meter_time: new Date(iso), voltage_l1_dv: dv });
    await writeReadings(t.db, [v('2026-03-29T08:00:00Z', 2300), v('2026-03-29T08:20:00Z', 2400)]);
    await writeReadings(t.db, [v('2026-03-29T09:05:00Z', 2200), v('2026-03-29T22:00:00Z', 2350)]);
    const level = async (table: string, key: string) =>
      (await sql<Record<string, string | number>>`
        SELECT ${sql.raw(key)} AS k, u_l1_sum / u_l1_n AS avg, u_l1_n AS n, u_l1_min AS min, u_l1_max AS max
        FROM ${sql.table(table)} WHERE device_id = ${id} ORDER BY 1`.execute(t.db)).rows.map((r) => [String(r.k), Number(r.avg), Number(r.n), r.min, r.max]);
    expect(await level('rollup_quarter', "DATE_FORMAT(bucket_start, '%H:%i')")).toEqual([
      ['08:00', 230, 1, 230, 230],
      ['08:15', 240, 1, 240, 240],
      ['09:00', 220, 1, 220, 220],
      ['22:00', 235, 1, 235, 235],
    ]);
    expect(await level('rollup_hour', "DATE_FORMAT(bucket_start, '%H')")).toEqual([
      ['08', 235, 2, 230, 240],
      ['09', 220, 1, 220, 220],
      ['22', 235, 1, 235, 235],
    ]);
    expect(await level('rollup_day', "DATE_FORMAT(local_date, '%Y-%m-%d')")).toEqual([
      ['2026-03-29', 230, 3, 220, 240],
      ['2026-03-30', 235, 1, 235, 235],
    ]);
  });

  it('keeps each day\'s highest quarter-hour and hour, also when a late row lowers them', async () => {
    const id = await device('peaks');
    const at = (h: number, m: number) => new Date(Date.UTC(2026, 0, 7, h, m));
    const r = (meter_time: Date, wh: number): InsertedReading => ({ device_id: id, meter_time, energy_import_wh: wh });
    // 10:00 -> 10:30: +1000 Wh, one step spread over two quarters (500 each); 11:00-11:15: +800.
    await writeReadings(t.db, [r(at(10, 0), 0), r(at(10, 30), 1000), r(at(11, 0), 1000), r(at(11, 15), 1800)]);
    const peaks = async () =>
      (await sql<{ pq: number; pqs: Date; ph: number; phs: Date }>`
        SELECT peak_quarter_wh AS pq, peak_quarter_start AS pqs, peak_hour_wh AS ph, peak_hour_start AS phs FROM rollup_day WHERE device_id = ${id}`.execute(t.db)).rows[0]!;
    expect(await peaks()).toMatchObject({ pq: 800, pqs: at(11, 0), ph: 1000, phs: at(10, 0) });
    // A late reading shows the 1000 Wh fell in the first quarter: 10:15 reads 950.
    await writeReadings(t.db, [r(at(10, 15), 950)]);
    expect(await peaks()).toMatchObject({ pq: 950, pqs: at(10, 0), ph: 1000 });
  });

  it('counts rejects per hour and reason', async () => {
    const id = await device('rejects');
    const at = new Date(Date.UTC(2026, 0, 7, 10, 5));
    await recordRejects(t.db, [
      { at, deviceId: id, reason: 'checksum' },
      { at, deviceId: id, reason: 'checksum' },
      { at, deviceId: null, reason: 'unauthorized' },
    ]);
    await recordRejects(t.db, [{ at: new Date(at.getTime() + 60_000), deviceId: id, reason: 'checksum' }]);
    const rows = await sql<{ device_id: number; reason: string; rejects: number }>`SELECT device_id, reason, rejects FROM rollup_reject_hour ORDER BY reason`.execute(t.db);
    expect(rows.rows).toEqual([
      { device_id: id, reason: 'checksum', rejects: 3 },
      { device_id: 0, reason: 'unauthorized', rejects: 1 },
    ]);
  });
});

describe('RejectCounter', () => {
  it('counts in memory and writes per hour and reason on flush and on close', async () => {
    const counter = new RejectCounter(t.db, { flushIntervalMs: 3_600_000 });
    for (let i = 0; i < 5; i++) counter.count('checksum');
    counter.count('unauthorized', null);
    await counter.flush();
    counter.count('checksum');
    await counter.close();
    const rows = await sql<{ reason: string; n: number }>`SELECT reason, SUM(rejects) AS n FROM rollup_reject_hour GROUP BY reason ORDER BY reason`.execute(t.db);
    expect(rows.rows.map((r) => [r.reason, Number(r.n)])).toEqual([
      ['checksum', 6],
      ['unauthorized', 1],
    ]);
  });
});
