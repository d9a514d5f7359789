import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, testDbPrefix, type TestDatabase } from '@sem/db/testing';
import { ROLLUP_TABLES } from '@sem/db';
import type { InsertedReading } from '../src/rollups/rollup.types.ts';
import { purgeRawReadings } from '../src/retention/raw-retention.ts';
import { startRetentionJob } from '../src/retention/retention.job.ts';
import { writeReadings } from '../src/testing/write-readings.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase(testDbPrefix('rollups_retention'), { fresh: true });
});
afterAll(async () => t?.destroy());
beforeEach(async () => t.clear(ROLLUP_TABLES));

const H = 3_600_000;
const DAY0 = Date.UTC(2026, 0, 1);

async function device(name: string): Promise<number> {
  const now = new Date();
  const r = await t.db.insertInto('device').values({ name, time_zone: 'Europe/Brussels', country: 'BE', send_interval_s: 3600, created_at: now, updated_at: now }).executeTakeFirstOrThrow();
  return Number(r.insertId);
}

/** Hourly readings over `days` days, 100 Wh per hour. */
const hourly = (id: number, days: number): InsertedReading[] =>
  Array.from({ length: days * 24 + 1 }, (_, h) => ({ device_id: id, meter_time: new Date(DAY0 + h * H), energy_import_wh: 50_000 + h * 100, power_import_w: 100 }));

const dump = async (table: string) => (await sql<Record<string, unknown>>`SELECT * FROM ${sql.table(table)} ORDER BY 1, 2`.execute(t.db)).rows;
const count = async (table: string, id: number) => Number((await sql<{ n: number }>`SELECT COUNT(*) AS n FROM ${sql.table(table)} WHERE device_id = ${id}`.execute(t.db)).rows[0]!.n);

describe('raw retention', () => {
  it('removes old raw rows, keeps every rollup and each device newest row', async () => {
    const live = await device('live');
    const silent = await device('silent');
    await writeReadings(t.db, hourly(live, 10), [
      { device_id: live, channel: 1, device_type: 3, captured_at: new Date(DAY0), value: '10.000' },
      { device_id: live, channel: 1, device_type: 3, captured_at: new Date(DAY0 + 240 * H), value: '12.000' },
    ]);
    await writeReadings(t.db, hourly(silent, 1));
    const before = await Promise.all(['rollup_minute', 'rollup_hour', 'rollup_day', 'rollup_quarter'].map(dump));

    const r = await purgeRawReadings(t.db, { before: new Date(DAY0 + 5 * 24 * H), batchSize: 7 });
    // Each device keeps its oldest row too (the neighbour of history imported later), each channel its oldest capture.
    expect(r).toEqual({ readings: 5 * 24 - 1 + 23, mbus: 0 });
    expect(await count('reading', live)).toBe(5 * 24 + 1 + 1);
    expect(await count('reading', silent)).toBe(2); // its oldest and its newest row are left
    expect(await count('mbus_reading', live)).toBe(2);
    const spans = await sql`SELECT device_id, kept_from, kept_mbus_from, purged_before FROM rollup_purge ORDER BY device_id`.execute(t.db);
    expect(spans.rows).toEqual([
      { device_id: live, kept_from: new Date(DAY0), kept_mbus_from: new Date(DAY0), purged_before: new Date(DAY0 + 5 * 24 * H) },
      { device_id: silent, kept_from: new Date(DAY0), kept_mbus_from: null, purged_before: new Date(DAY0 + 24 * H) },
    ]);
    expect(await Promise.all(['rollup_minute', 'rollup_hour', 'rollup_day', 'rollup_quarter'].map(dump))).toEqual(before);

    // A late row behind the boundary is stored but not rolled up; a new row after the newest is.
    await writeReadings(t.db, [{ device_id: live, meter_time: new Date(DAY0 + 2 * H + 1000), energy_import_wh: 50_150 }]);
    expect(await Promise.all(['rollup_hour', 'rollup_day', 'rollup_quarter'].map(dump))).toEqual(before.slice(1));
    await writeReadings(t.db, [{ device_id: silent, meter_time: new Date(DAY0 + 48 * H), energy_import_wh: 50_000 + 24 * 100 + 2400 }]);
    const day2 = await sql<{ imp_wh: number }>`SELECT imp_wh FROM rollup_day WHERE device_id = ${silent} AND local_date = '2026-01-02'`.execute(t.db);
    // Jan 2 local = 23:00Z Jan 1 .. 23:00Z Jan 2: the last hour of the first day plus 23 h of the new 24-hour step.
    expect(Number(day2.rows[0]!.imp_wh)).toBe(100 + 23 * 100);
  });

  it('runs on a timer and does nothing when retention is 0', async () => {
    const id = await device('timer');
    await writeReadings(t.db, hourly(id, 2));
    const off = startRetentionJob(t.db, { rawRetentionDays: 0, firstRunDelayMs: 0 });
    expect(await off.runOnce(new Date(DAY0 + 400 * 24 * H))).toEqual({ readings: 0, mbus: 0 });
    await off.stop();
    const runs: number[] = [];
    const job = startRetentionJob(t.db, { rawRetentionDays: 1, firstRunDelayMs: 0, intervalMs: 60_000, onRun: (r) => runs.push(r.readings) });
    await expect.poll(() => runs.length).toBe(1);
    await job.stop();
    expect(runs[0]).toBe(47); // everything is older than a day before now, except the oldest and the newest row
  });

  it('rolls up history older than anything the rollups hold (an import), and the same history again changes nothing', async () => {
    const id = await device('history');
    const D = 24 * H;
    // Ten days of its own readings from day 10 (100 Wh an hour, 100 W); the job cuts before day 15.
    // A gas capture a day, 1 m³ more each.
    const gas = (day: number, m3: number) => ({ device_id: id, channel: 1, device_type: 3, captured_at: new Date(DAY0 + day * D), value: m3.toFixed(3) });
    await writeReadings(
      t.db,
      Array.from({ length: 10 * 24 + 1 }, (_, h) => ({ device_id: id, meter_time: new Date(DAY0 + 10 * D + h * H), energy_import_wh: 50_000 + h * 100, power_import_w: 100 })),
      Array.from({ length: 11 }, (_, k) => gas(10 + k, 1000 + k)),
    );
    await purgeRawReadings(t.db, { before: new Date(DAY0 + 15 * D) });
    const own = await Promise.all(['rollup_minute', 'rollup_hour', 'rollup_day', 'rollup_quarter'].map(dump));

    // Its history from before (days 8 and 9, 50 Wh an hour, 70 W), imported now: older than the cut.
    const history = Array.from({ length: 48 }, (_, h) => ({ device_id: id, meter_time: new Date(DAY0 + 8 * D + h * H), energy_import_wh: 45_000 + h * 50, power_import_w: 70 }));
    await writeReadings(t.db, history.slice(0, 20), [gas(8, 998)]);
    await writeReadings(t.db, history.slice(20), [gas(9, 999)]);
    const hours = async (from: number, to: number) =>
      (await sql<{ at: Date; imp_wh: number; p: number }>`
        SELECT bucket_start AS at, imp_wh, p_imp_sum / NULLIF(p_imp_n, 0) AS p FROM rollup_hour
        WHERE device_id = ${id} AND bucket_start >= ${new Date(from)} AND bucket_start < ${new Date(to)} ORDER BY bucket_start`.execute(t.db)).rows.map((x) => [x.at.getTime(), Number(x.imp_wh), x.p === null ? null : Number(x.p)]);
    // 47 steps of 50 Wh, each in the hour it ends; the step from the last imported reading to the device's first own one (kept) in the last hour.
    expect(await hours(DAY0 + 8 * D, DAY0 + 10 * D)).toEqual(history.map((_, h) => [DAY0 + 8 * D + h * H, h < 47 ? 50 : 50_000 - (45_000 + 47 * 50), 70]));
    // The device's own hours are as they were.
    const ownHours = own[1]!.filter((x) => x.device_id === id);
    expect((await dump('rollup_hour')).filter((x) => x.device_id === id && (x.bucket_start as Date).getTime() >= DAY0 + 10 * D)).toEqual(ownHours);
    // The minutes carry the history's energy: 50 Wh an hour spread over its minutes.
    const minuteWh = await sql<{ wh: number }>`SELECT SUM(imp_wh) AS wh FROM rollup_minute WHERE device_id = ${id} AND bucket_start < ${new Date(DAY0 + 10 * D)}`.execute(t.db);
    expect(Number(minuteWh.rows[0]!.wh)).toBe(50_000 - 45_000);
    // Gas: 998 → 999 → 1000 m³ (the device's own first capture, kept), 2000 litres before day 10.
    const gasL = await sql<{ l: number }>`SELECT SUM(gas_l) AS l FROM rollup_hour WHERE device_id = ${id} AND bucket_start < ${new Date(DAY0 + 10 * D)}`.execute(t.db);
    expect(Number(gasL.rows[0]!.l)).toBe(2000);

    // A reading inside the cut span (the rollups hold that time) is stored but not rolled up, as before.
    const held = await Promise.all(['rollup_minute', 'rollup_hour', 'rollup_day', 'rollup_quarter'].map(dump));
    await writeReadings(t.db, [{ device_id: id, meter_time: new Date(DAY0 + 12 * D + 1000), energy_import_wh: 50_000 + 48 * 100 + 10, power_import_w: 5000 }]);
    expect(await Promise.all(['rollup_minute', 'rollup_hour', 'rollup_day', 'rollup_quarter'].map(dump))).toEqual(held);

    // The next run removes the history's raw rows (older than the cut) but its oldest, which begins the span now.
    await purgeRawReadings(t.db, { before: new Date(DAY0 + 15 * D) });
    expect(await count('reading', id)).toBe(1 + 5 * 24 + 1); // day 8's first (the oldest now), day 15 to 20
    const span = await sql<{ kept_from: Date; kept_mbus_from: Date }>`SELECT kept_from, kept_mbus_from FROM rollup_purge WHERE device_id = ${id}`.execute(t.db);
    expect(span.rows[0]).toEqual({ kept_from: new Date(DAY0 + 8 * D), kept_mbus_from: new Date(DAY0 + 8 * D) });
    // The same history imported again: inside the cut span now (or a duplicate), it changes no rollup.
    await writeReadings(t.db, history.slice(1), [gas(9, 999)]);
    await writeReadings(t.db, history.slice(0, 1), [gas(8, 998)]);
    expect(await Promise.all(['rollup_minute', 'rollup_hour', 'rollup_day', 'rollup_quarter'].map(dump))).toEqual(held);
  });

  it('a device cut before kept_from existed (NULL): history older than the cut is stored, not rolled up, and nothing more is kept', async () => {
    const id = await device('legacy');
    await writeReadings(t.db, hourly(id, 3));
    await sql`INSERT INTO rollup_purge (device_id, purged_before, purged_at, kept_from) VALUES (${id}, ${new Date(DAY0 + 24 * H)}, NOW(3), NULL)`.execute(t.db);
    const before = await Promise.all(['rollup_minute', 'rollup_hour', 'rollup_day', 'rollup_quarter'].map(dump));
    await writeReadings(t.db, [{ device_id: id, meter_time: new Date(DAY0 - 5 * H), energy_import_wh: 49_000, power_import_w: 10 }]);
    expect(await Promise.all(['rollup_minute', 'rollup_hour', 'rollup_day', 'rollup_quarter'].map(dump))).toEqual(before);
    await purgeRawReadings(t.db, { before: new Date(DAY0 + 48 * H) });
    expect(await count('reading', id)).toBe(25); // day 2 on; no oldest row kept
    const span = await sql<{ kept_from: Date | null }>`SELECT kept_from FROM rollup_purge WHERE device_id = ${id}`.execute(t.db);
    expect(span.rows[0]!.kept_from).toBeNull();
  });
});
