import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, testDbPrefix, type TestDatabase } from '@sem/db/testing';
import { ROLLUP_TABLES, type Database } from '@sem/db';
import type { Kysely } from 'kysely';
import { rollupWriteStepWith } from '../src/rollups/rollup-write-step.ts';
import { READING_SOURCES, type PreparedReading } from '../src/write/prepared-reading.ts';
import { writeBatch } from '../src/write/write-batch.ts';
import { DEFAULT_WRITE_STEPS } from '../src/write/write-steps.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase(testDbPrefix('rollup_gap'), { fresh: true });
});
afterAll(async () => t?.destroy());
beforeEach(async () => t.clear(ROLLUP_TABLES));

const H = 3_600_000;
const Q = 900_000;

async function device(): Promise<number> {
  const now = new Date();
  const r = await t.db.insertInto('device').values({ name: `gap-${Math.random()}`, time_zone: 'UTC', country: 'BE', send_interval_s: 1, created_at: now, updated_at: now }).executeTakeFirstOrThrow();
  return Number(r.insertId);
}

async function write(deviceId: number, at: number, wh: number, horizonMs: number): Promise<void> {
  const row: PreparedReading = {
    deviceId,
    meterTime: new Date(at),
    receivedAt: new Date(),
    source: READING_SOURCES.json,
    columns: { energy_import_wh: wh },
    mbus: [],
    powerFailures: [],
    peaks: [],
    raw: [],
    meter: null,
  };
  await writeBatch(t.db as Kysely<Database>, [row], [...DEFAULT_WRITE_STEPS, rollupWriteStepWith(horizonMs)]);
}

/** Every rollup row of the device as `table|time|imp_wh`, to see which rows one reading changed. */
async function snapshot(deviceId: number): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const [table, at] of [['rollup_minute', 'bucket_start'], ['rollup_quarter', 'bucket_start'], ['rollup_hour', 'bucket_start'], ['rollup_day', 'local_date']] as const) {
    const r = await sql<{ at: unknown; imp_wh: number }>`SELECT ${sql.ref(at)} AS at, imp_wh FROM ${sql.table(table)} WHERE device_id = ${deviceId}`.execute(t.db);
    for (const x of r.rows) out.set(`${table}|${String(x.at)}`, Number(x.imp_wh));
  }
  return out;
}

function changed(before: Map<string, number>, after: Map<string, number>, table: string): number {
  return [...after].filter(([k, v]) => k.startsWith(`${table}|`) && before.get(k) !== v).length;
}

async function gaps(deviceId: number): Promise<[string, string][]> {
  const r = await sql<{ s: Date; e: Date }>`SELECT started_at AS s, ended_at AS e FROM rollup_gap WHERE device_id = ${deviceId} ORDER BY started_at`.execute(t.db);
  return r.rows.map((x) => [x.s.toISOString(), x.e.toISOString()]);
}

const sum = async (table: string, deviceId: number) =>
  Number((await sql<{ s: number }>`SELECT COALESCE(SUM(imp_wh), 0) AS s FROM ${sql.table(table)} WHERE device_id = ${deviceId}`.execute(t.db)).rows[0]!.s);

describe('the gap rule', () => {
  it('books a reading 10 years after the previous one in its own quarter, hour and day, and records the gap', async () => {
    const id = await device();
    const t0 = Date.UTC(2016, 0, 1, 12, 0);
    const t1 = Date.UTC(2026, 0, 1, 12, 7);
    await write(id, t0, 1_000_000, 168 * H);
    const before = await snapshot(id);
    const started = performance.now();
    await write(id, t1, 40_000_000, 168 * H);
    expect(performance.now() - started).toBeLessThan(2000);
    const after = await snapshot(id);
    expect(changed(before, after, 'rollup_quarter')).toBe(1);
    expect(changed(before, after, 'rollup_day')).toBe(1);
    expect(after.get(`rollup_quarter|${new Date(Date.UTC(2026, 0, 1, 12, 0))}`)).toBe(39_000_000);
    expect(await sum('rollup_hour', id)).toBe(39_000_000);
    expect(await gaps(id)).toEqual([[new Date(t0).toISOString(), new Date(t1).toISOString()]]);
  });

  it('splits a gap when a late reading arrives inside it: the gap row moves, energy stays whole', async () => {
    const id = await device();
    const t0 = Date.UTC(2026, 0, 1);
    const t2 = t0 + 24 * H;
    await write(id, t0, 1000, 2 * H);
    await write(id, t2, 11_000, 2 * H);
    await write(id, t2 - H, 10_000, 2 * H);
    expect(await gaps(id)).toEqual([[new Date(t0).toISOString(), new Date(t2 - H).toISOString()]]);
    expect(await sum('rollup_quarter', id)).toBe(10_000);
    expect(await sum('rollup_day', id)).toBe(10_000);
    // The last hour is spread over its four quarters.
    const q = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM rollup_quarter WHERE device_id = ${id} AND imp_wh <> 0`.execute(t.db);
    expect(Number(q.rows[0]!.n)).toBe(1 + 4);
    // A reading that closes the gap removes it.
    for (let at = t0 + H; at < t2 - H; at += H) await write(id, at, 1000 + Math.round(((at - t0) / (t2 - H - t0)) * 9000), 2 * H);
    expect(await gaps(id)).toEqual([]);
    expect(await sum('rollup_quarter', id)).toBe(10_000);
  });

  it('never changes more rollup rows for one reading than the documented bound: 2·H/1 min + 2 minutes, 2·H/15 min + 2 quarters, 2·H/1 h + 3 hours, 2·H/1 d + 3 days', async () => {
    const horizon = 6 * H;
    const id = await device();
    const t0 = Date.UTC(2026, 0, 1);
    // Readings every 6 h (just inside the horizon) for a week; then late readings in the middle of steps.
    for (let i = 0; i <= 28; i++) await write(id, t0 + i * horizon, 1000 + i * 600, horizon);
    let worst = { m: 0, q: 0, h: 0, d: 0 };
    for (const at of [t0 + 3 * H + 7 * 60_000, t0 + 50 * H + Q, t0 + 100 * H - 1]) {
      const before = await snapshot(id);
      // Off the straight line between its neighbours, so the spread of both its steps changes.
      await write(id, at, 1000 + Math.round(((at - t0) / horizon) * 600) + 100, horizon);
      const after = await snapshot(id);
      worst = {
        m: Math.max(worst.m, changed(before, after, 'rollup_minute')),
        q: Math.max(worst.q, changed(before, after, 'rollup_quarter')),
        h: Math.max(worst.h, changed(before, after, 'rollup_hour')),
        d: Math.max(worst.d, changed(before, after, 'rollup_day')),
      };
    }
    expect(worst.m).toBeLessThanOrEqual((2 * horizon) / 60_000 + 2);
    expect(worst.q).toBeLessThanOrEqual((2 * horizon) / Q + 2);
    expect(worst.h).toBeLessThanOrEqual((2 * horizon) / H + 3);
    expect(worst.d).toBeLessThanOrEqual(Math.ceil((2 * horizon) / (24 * H)) + 3);
    // The bound is not idle: a late reading in a 6 h step rewrites most of its quarters.
    expect(worst.q).toBeGreaterThan(horizon / Q / 2);
    expect(worst.m).toBeGreaterThan(horizon / 60_000 / 2);
  });
});
