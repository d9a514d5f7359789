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

const dump = async (table: string) => (await sql`SELECT * FROM ${sql.table(table)} ORDER BY 1, 2`.execute(t.db)).rows;
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
    expect(r).toEqual({ readings: 5 * 24 + 24, mbus: 1 });
    expect(await count('reading', live)).toBe(5 * 24 + 1);
    expect(await count('reading', silent)).toBe(1); // only its newest row is left
    expect(await count('mbus_reading', live)).toBe(1);
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
    expect(runs[0]).toBe(48); // everything is older than a day before now, except the newest row
  });
});
