import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, testDbPrefix, type TestDatabase } from '@sem/db/testing';
import { ROLLUP_TABLES, STAT_COLUMNS } from '@sem/db';
import { purgeRawReadings } from '@sem/ingest';
import { addDevice, bearer, testApp } from './test-app.ts';

let t: TestDatabase;
const apps: FastifyInstance[] = [];
beforeAll(async () => {
  t = await createTestDatabase(testDbPrefix('rollups_deferred'), { fresh: true });
});
afterAll(async () => {
  for (const a of apps) await a.close();
  await t?.destroy();
});
beforeEach(async () => t.clear(ROLLUP_TABLES));

/** An app; flushMs 0 keeps the rollups in each write transaction, a long one holds them until flushed by hand. */
async function app(flushMs: number): Promise<FastifyInstance> {
  const a = await testApp(t, { SEM_ROLLUP_FLUSH_MS: String(flushMs) });
  apps.push(a);
  return a;
}

const T0 = Date.UTC(2026, 2, 9, 22, 50); // 23:50 in Brussels: the series crosses a local midnight

/** Minute n of a household: import grows with a varying power, gas captured every 10 minutes. */
function reading(n: number, extra: Record<string, unknown> = {}) {
  const power = 300 + ((n * 137) % 900);
  return {
    time: new Date(T0 + n * 60_000).toISOString(),
    energyImportT1Kwh: 1000 + (n * (n + 3)) / 1000,
    energyImportT2Kwh: 500 + n / 1000,
    powerImportW: power,
    powerImportL1W: power - 100,
    voltageL1V: 229 + (n % 7) / 10,
    currentL1A: power / 230,
    mbus: [{ channel: 1, deviceType: 3, unit: 'm3', value: 100 + Math.floor(n / 10) / 100, capturedAt: new Date(T0 + Math.floor(n / 10) * 600_000).toISOString() }],
    ...extra,
  };
}

/** In order, a late gap filled, a batch, duplicates, and a merge that adds a column to a stored reading. */
async function postSeries(a: FastifyInstance, key: string): Promise<void> {
  const post = async (payload: object) => {
    const r = await a.inject({ method: 'POST', url: '/api/v1/readings', headers: bearer(key), payload });
    expect(r.statusCode, r.body).toBeLessThan(300);
  };
  for (let n = 0; n < 15; n++) if (n % 5 !== 3) await post(reading(n));
  await post(Array.from({ length: 20 }, (_, i) => reading(40 + i)));
  for (let n = 3; n < 15; n += 5) await post(reading(n)); // late: between stored neighbours
  await post(Array.from({ length: 25 }, (_, i) => reading(15 + i))); // the gap before the batch
  await post(Array.from({ length: 10 }, (_, i) => reading(i))); // duplicates
  await post(reading(7, { voltageL2V: 231 })); // merged: fills a NULL column
}

/** The same series posted by an app that keeps rollups in each transaction (device a) and a deferring one (device b). */
async function postedTwice(deferred: FastifyInstance, name: string): Promise<{ a: { id: number }; b: { id: number } }> {
  const inline = await app(0);
  const a = await addDevice(t, { name: `${name}-inline`, country: 'BE' });
  const b = await addDevice(t, { name, country: 'BE' });
  await postSeries(inline, a.key);
  await postSeries(deferred, b.key);
  return { a, b };
}

const TABLES = ['rollup_minute', 'rollup_quarter', 'rollup_hour', 'rollup_day'] as const;

// Sums of doubles depend on the order of the additions (in the last bits): compared to 12 significant digits.
const rounded = (v: unknown) => (typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(12)) : v);

/** Every rollup row of a device, without its id, in key order. */
async function rollupsOf(deviceId: number): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const table of TABLES) {
    const order = table === 'rollup_day' ? 'local_date' : 'bucket_start';
    const r = await sql<Record<string, unknown>>`SELECT * FROM ${sql.table(table)} WHERE device_id = ${deviceId} ORDER BY ${sql.ref(order)}`.execute(t.db);
    out[table] = r.rows.map(({ device_id: _id, ...rest }) => Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, rounded(v)])));
  }
  return out;
}

async function journalRows(): Promise<number> {
  const r = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM rollup_journal`.execute(t.db);
  return Number(r.rows[0]!.n);
}

describe('deferred rollups (SEM_ROLLUP_FLUSH_MS)', () => {
  it('hold the rollups in the journal until a flush, then match rollups kept in each transaction, column for column', async () => {
    const deferred = await app(60_000);
    const { a, b } = await postedTwice(deferred, 'deferred');

    const expected = await rollupsOf(a.id);
    expect(expected['rollup_day']!.length).toBe(2);
    // The minutes carry their energy, and it adds up to the quarters'.
    const whOf = (rows: unknown[]) => (rows as Record<string, unknown>[]).reduce((s, r) => s + Number(r['imp_wh']), 0);
    const minuteWh = whOf(expected['rollup_minute']!);
    const quarterWh = whOf(expected['rollup_quarter']!);
    expect(minuteWh).toBeGreaterThan(0);
    expect(minuteWh).toBe(quarterWh);
    expect((await rollupsOf(b.id))['rollup_minute']).toEqual([]);
    expect(await journalRows()).toBeGreaterThan(0);

    await deferred.rollups!.flush();
    expect(await rollupsOf(b.id)).toEqual(expected);
    expect(await journalRows()).toBe(0);
  });

  it('written when the app closes', async () => {
    const deferred = await testApp(t, { SEM_ROLLUP_FLUSH_MS: '60000' });
    const d = await addDevice(t, { name: 'closing' });
    await postSeries(deferred, d.key);
    await deferred.close();
    expect((await rollupsOf(d.id))['rollup_day']!.length).toBe(2);
    expect(await journalRows()).toBe(0);
  });

  it("a writer that stopped: another replays its journal, exactly once even if the first one flushes later", async () => {
    const stopped = await app(60_000);
    const other = await app(60_000);
    const { a, b } = await postedTwice(stopped, 'stopped');

    expect(await other.rollups!.replayOrphans(60_000)).toBe(0); // too young: its writer may be alive
    expect(await other.rollups!.replayOrphans(0)).toBeGreaterThan(0);
    expect(await rollupsOf(b.id)).toEqual(await rollupsOf(a.id));
    // The first writer comes back: its journal rows are gone, so it adds nothing twice.
    await stopped.rollups!.flush();
    expect(stopped.rollups!.heldJournalRows).toBe(0);
    expect(await rollupsOf(b.id)).toEqual(await rollupsOf(a.id));
  });

  it('a failed flush keeps what it held and writes it at the next one', async () => {
    const deferred = await app(60_000);
    const { a, b } = await postedTwice(deferred, 'failing');
    const held = deferred.rollups!.heldJournalRows;
    // A real fault: the day table is missing while the flush runs (after the other rollups were written).
    await sql`RENAME TABLE rollup_day TO rollup_day_away`.execute(t.db);
    try {
      await expect(deferred.rollups!.flush()).rejects.toThrow(/rollup_day/);
    } finally {
      await sql`RENAME TABLE rollup_day_away TO rollup_day`.execute(t.db);
    }
    expect(deferred.rollups!.heldJournalRows).toBe(held);
    expect((await rollupsOf(b.id))['rollup_minute']).toEqual([]); // rolled back with the rest
    await deferred.rollups!.flush();
    expect(await rollupsOf(b.id)).toEqual(await rollupsOf(a.id));
  });

  it('replays a journal row written before the minute rows carried energy (no energy in them)', async () => {
    const replaying = await app(60_000);
    const d = await addDevice(t, { name: 'old-journal' });
    const at = Date.UTC(2026, 0, 5, 8, 0);
    // A minute row as journaled before migration 20261204180000: device, minute, then the statistics only.
    const stats = STAT_COLUMNS.flatMap((c) => (c.col === 'p_imp' ? [450, 2, 200, 250] : [0, 0, null, null]));
    const payload = { minutes: [[d.id, at, ...stats]], quarters: [], hours: [], days: [], touchedQuarters: [], touchedHours: [], lowered: [] };
    await sql`INSERT INTO rollup_journal (payload, created_at) VALUES (${JSON.stringify(payload)}, NOW(3) - INTERVAL 1 HOUR)`.execute(t.db);
    expect(await replaying.rollups!.replayOrphans(60_000)).toBe(1);
    const rows = await sql<Record<string, unknown>>`SELECT p_imp_sum, p_imp_n, p_imp_min, p_imp_max, imp_wh, exp_wh FROM rollup_minute WHERE device_id = ${d.id}`.execute(t.db);
    expect(rows.rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Number(v)])))).toEqual([
      { p_imp_sum: 450, p_imp_n: 2, p_imp_min: 200, p_imp_max: 250, imp_wh: 0, exp_wh: 0 },
    ]);
  });

  it('history older than a retention cut (an import) and readings inside the cut span: deferred equals inline', async () => {
    const deferred = await app(60_000);
    const inline = await app(0);
    const a = await addDevice(t, { name: 'history-inline', country: 'BE' });
    const b = await addDevice(t, { name: 'history-deferred', country: 'BE' });
    const post = async (x: FastifyInstance, key: string, payload: object) => {
      const r = await x.inject({ method: 'POST', url: '/api/v1/readings', headers: bearer(key), payload });
      expect(r.statusCode, r.body).toBeLessThan(300);
    };
    // Their own minutes 0..59, then the job cuts raw rows before minute 40 (each keeps its oldest, minute 0).
    for (const [x, d] of [[inline, a], [deferred, b]] as const) await post(x, d.key, Array.from({ length: 60 }, (_, i) => reading(i)));
    await deferred.rollups!.flush();
    await purgeRawReadings(t.db, { before: new Date(T0 + 40 * 60_000) });
    // An import of the hour before (history: rolled up) and minutes inside the cut span (stored, not rolled up).
    // History: the hour before minute 0, +10 Wh a minute on tariff 1, 200..790 W.
    const history = (k: number) => ({ time: new Date(T0 + (k - 60) * 60_000).toISOString(), energyImportT1Kwh: 999 + k / 100, energyImportT2Kwh: 499.9, powerImportW: 200 + k * 10, voltageL1V: 230 });
    for (const [x, d] of [[inline, a], [deferred, b]] as const) {
      await post(x, d.key, Array.from({ length: 30 }, (_, k) => history(k + 30)));
      await post(x, d.key, Array.from({ length: 30 }, (_, k) => history(k)));
      await post(x, d.key, [reading(20, { voltageL2V: 231 }), { time: new Date(T0 + 25 * 60_000 + 500).toISOString(), energyImportT1Kwh: 1000.9, powerImportW: 5 }]);
    }
    await deferred.rollups!.flush();
    const expected = await rollupsOf(a.id);
    // The history's minutes are there, with energy that adds up to its register steps up to minute 0.
    const historyWh = (expected['rollup_minute'] as Record<string, unknown>[]).filter((m) => (m['bucket_start'] as Date).getTime() < T0).reduce((s, m) => s + Number(m['imp_wh']), 0);
    // 59 steps of 10 Wh, then the step to minute 0 (the device's oldest row, kept): 1000 + 500 kWh − (999.59 + 499.9).
    expect(historyWh).toBe(590 + 1_500_000 - 1_499_490);
    expect(await rollupsOf(b.id)).toEqual(expected);
  });
});
