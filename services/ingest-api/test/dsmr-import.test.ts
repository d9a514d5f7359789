/**
 * dsmr-reader readings table dumps into a device through the engine. The dump is synthetic, in the
 * table's own column names (dsmr_datalogger_dsmrreading): PostgreSQL CSV with "+01" offsets.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { createIngest, purgeRawReadings, type IngestEngine } from '@sem/ingest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDsmrReadings } from '../src/dsmr-import/dsmr-import.ts';
import { addDevice, testConfig, useTestApp } from './test-app.ts';
import { dbConnectionEnv } from '@sem/db/testing';

const ctx = useTestApp({}, ['rollup_minute', 'rollup_quarter', 'rollup_hour', 'rollup_day', 'rollup_purge']);
let engine: IngestEngine;
beforeAll(() => {
  engine = createIngest({ db: ctx.t.db, config: testConfig(ctx.t) });
});
afterAll(async () => engine?.close());

// Every dump's folder goes at the end of the file (the run's leak check counts what is left).
const dumpDirs: string[] = [];
afterAll(() => dumpDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
function dumpDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sem-dsmr-'));
  dumpDirs.push(dir);
  return dir;
}

const HEADER = 'id,processed,timestamp,electricity_delivered_1,electricity_returned_1,electricity_delivered_2,electricity_returned_2,electricity_currently_delivered,electricity_currently_returned,phase_currently_delivered_l1,phase_currently_delivered_l2,phase_currently_delivered_l3,extra_device_timestamp,extra_device_delivered,phase_currently_returned_l1,phase_currently_returned_l2,phase_currently_returned_l3,phase_voltage_l1,phase_voltage_l2,phase_voltage_l3,phase_power_current_l1,phase_power_current_l2,phase_power_current_l3';

/** 2021-01-10 from 12:00 local (11:00Z), a reading every 10 minutes for `n` readings: +0.1 kWh on tariff 1 each. */
function dump(n: number, extra: string[] = []): string {
  const lines = Array.from({ length: n }, (_, i) => {
    const t = new Date(Date.parse('2021-01-10T11:00:00Z') + i * 600_000);
    const local = new Date(t.getTime() + 3_600_000).toISOString().replace('T', ' ').slice(0, 19);
    const gasAt = i % 6 === 0 ? `${local}+01` : '';
    const gas = i % 6 === 0 ? (2000 + i * 0.01).toFixed(3) : '';
    return `${i + 1},t,${local}+01,${(1000 + i * 0.1).toFixed(3)},0.000,2000.000,0.000,0.600,0.000,0.200,0.200,0.200,${gasAt},${gas},,,,231.0,230.5,229.5,1,1,1`;
  });
  const dir = dumpDir();
  const path = join(dir, 'readings.csv');
  writeFileSync(path, [HEADER, ...lines, ...extra].join('\n') + '\n');
  return path;
}

const count = async (table: string, id: number) => Number((await sql<{ n: number }>`SELECT COUNT(*) AS n FROM ${sql.table(table)} WHERE device_id = ${id}`.execute(ctx.t.db)).rows[0]!.n);

describe('dsmr-reader import', () => {
  it('stores readings with their units, gas and rollups; a second import changes nothing', async () => {
    const d = await addDevice(ctx.t, { name: 'dsmr', country: 'NL', timeZone: 'Europe/Amsterdam' });
    const path = dump(12, ['13,t,yesterday,1,0,1,0,0,0,,,,,,,,,,,,,,', '14,t,2021-01-10 13:00:00+01,lots,0,1,0,0,0,,,,,,,,,,,,,,']);
    const first = await importDsmrReadings(engine, { id: d.id, sendIntervalSeconds: 60 }, path, { statePath: `${path}.state` });
    expect(first).toMatchObject({ lines: 14, accepted: 12, duplicates: 0, rejected: 0, unreadable: 2 });
    expect(first.examples[0]).toMatch(/line 13: timestamp "yesterday"/);
    const row = await ctx.t.db.selectFrom('reading').selectAll().where('device_id', '=', d.id).orderBy('meter_time').executeTakeFirstOrThrow();
    expect(row).toMatchObject({ meter_time: new Date('2021-01-10T11:00:00Z'), energy_import_t1_wh: 1_000_000, energy_import_t2_wh: 2_000_000, power_import_w: 600, power_import_l1_w: 200, voltage_l1_dv: 2310, current_l1_ca: 100 });
    expect(await count('mbus_reading', d.id)).toBe(2);
    // 11 steps of 100 Wh on 10 January (local).
    const day = await sql<{ imp_wh: number }>`SELECT imp_wh FROM rollup_day WHERE device_id = ${d.id}`.execute(ctx.t.db);
    expect(day.rows.map((r) => Number(r.imp_wh))).toEqual([1100]);

    const snapshot = async () => [await count('reading', d.id), await count('mbus_reading', d.id), (await sql`SELECT * FROM rollup_hour WHERE device_id = ${d.id} ORDER BY bucket_start`.execute(ctx.t.db)).rows];
    const before = await snapshot();
    const again = await importDsmrReadings(engine, { id: d.id, sendIntervalSeconds: 60 }, path, { statePath: `${path}.fresh-state` });
    expect(again).toMatchObject({ accepted: 0, duplicates: 12, unreadable: 2 });
    expect(await snapshot()).toEqual(before);
  });

  it('resumes after the lines its state file says are done', async () => {
    const d = await addDevice(ctx.t, { name: 'resume' });
    const path = dump(10);
    writeFileSync(`${path}.state`, JSON.stringify({ linesDone: 6 }));
    const s = await importDsmrReadings(engine, { id: d.id, sendIntervalSeconds: 60 }, path, { statePath: `${path}.state`, batchSize: 3 });
    expect(s).toMatchObject({ resumedAfter: 6, accepted: 4 });
    expect(await count('reading', d.id)).toBe(4);
    const rest = await importDsmrReadings(engine, { id: d.id, sendIntervalSeconds: 60 }, path, { statePath: `${path}.other` });
    expect(rest).toMatchObject({ accepted: 6, duplicates: 4, insideCut: 0 });
  });

  it("rolls up history older than the device's retention cut; counts what falls inside the cut span (stored, not rolled up)", async () => {
    const d = await addDevice(ctx.t, { name: 'cut' });
    const path = dump(4);
    // The device's own data: a register-less row at 11:25 and one at 12:00; the job cuts before 11:50 (its oldest row is kept).
    const own = (iso: string, wh?: number) => ({ device_id: d.id, meter_time: new Date(iso), received_at: new Date(), source: 1, power_import_w: 1, ...(wh === undefined ? {} : { energy_import_t1_wh: wh }) });
    await ctx.t.db.insertInto('reading').values([own('2021-01-10T11:25:00Z'), own('2021-01-10T11:40:00Z'), own('2021-01-10T12:00:00Z')]).execute();
    await purgeRawReadings(ctx.t.db, { before: new Date('2021-01-10T11:50:00Z') });
    expect(await count('reading', d.id)).toBe(2); // 11:40 was cut
    const s = await importDsmrReadings(engine, { id: d.id, sendIntervalSeconds: 60 }, path, { statePath: `${path}.state` });
    expect(s).toMatchObject({ accepted: 4, insideCut: 1 }); // 11:30 (after the kept 11:25, before the cut); 11:00-11:20 are history
    // 11:00 → 11:10 → 11:20: 200 Wh of tariff 1 rolled up (the next register point, 11:30, is inside the cut span).
    const hour = await sql<{ imp_t1_wh: number; p_imp_n: number }>`SELECT imp_t1_wh, p_imp_n FROM rollup_hour WHERE device_id = ${d.id}`.execute(ctx.t.db);
    expect(hour.rows.map((r) => [Number(r.imp_t1_wh), Number(r.p_imp_n)])).toEqual([[200, 3]]);
  });

  it('refuses a file that is not the readings table', async () => {
    const d = await addDevice(ctx.t, { name: 'wrong' });
    const dir = dumpDir();
    writeFileSync(join(dir, 'x.csv'), 'hour_start,electricity1\n2021-01-10 11:00:00+01,0.5\n');
    await expect(importDsmrReadings(engine, { id: d.id, sendIntervalSeconds: 60 }, join(dir, 'x.csv'), { statePath: join(dir, 's') })).rejects.toThrow(/no column timestamp, electricity_delivered_1/);
  });

  it('runs as a CLI with a summary', async () => {
    await addDevice(ctx.t, { name: 'cli' });
    const path = dump(3);
    const c = ctx.t.connection;
    const env = { PATH: process.env.PATH ?? '', ...dbConnectionEnv(c) };
    const cli = fileURLToPath(new URL('../src/cli/dsmr-import.ts', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, [cli, '--device', 'cli', '--json', path], { env });
    expect(JSON.parse(stdout)).toMatchObject({ lines: 3, accepted: 3 });
    // Several files, statistics given first: readings are imported first, then hours, then days.
    const dir = dumpDir();
    const hours = join(dir, 'hours.csv');
    writeFileSync(hours, 'id,hour_start,electricity1,electricity2,electricity1_returned,electricity2_returned,gas\n1,2021-01-09 10:00:00+00,0.5,0,0,0,0\n');
    const days = join(dir, 'export-day.csv');
    writeFileSync(days, 'Date,Electricity Tariff 1 Diff,Electricity Tariff 2 Diff,Electricity Tariff 1 Returned Diff,Electricity Tariff 2 Returned Diff,Gas Diff\n2021-01-09,1.5,0.5,0.0,0.0,\n');
    const more = dump(5);
    const all = await promisify(execFile)(process.execPath, [cli, '--device', 'cli', '--json', days, hours, more], { env });
    expect(JSON.parse(all.stdout)).toMatchObject([{ accepted: 2, duplicates: 3 }, { kind: 'hour-statistics', filled: 1 }, { kind: 'day-statistics', filled: 1 }]);
    // Run again: resumed from the state files, nothing left to do; without them, everything is found already there.
    const resumed = await promisify(execFile)(process.execPath, [cli, '--device', 'cli', days, hours], { env });
    expect(resumed.stdout).toMatch(/hours.csv \(hour-statistics\): line 1: 0 hours filled, 0 already filled \(kept\), 0 after the device's first reading \(readings win\), 0 not on a UTC hour, 0 unreadable \(resumed after line 1\)/);
    rmSync(`${hours}.sem-import.json`);
    const again = await promisify(execFile)(process.execPath, [cli, '--device', 'cli', hours], { env });
    expect(again.stdout).toMatch(/hours.csv \(hour-statistics\): line 1: 0 hours filled, 1 already filled \(kept\)/);
    await expect(promisify(execFile)(process.execPath, [cli, '--device', 'cli', join(dir, 'hours.csv.sem-import.json')], { env })).rejects.toMatchObject({ stderr: expect.stringMatching(/not a dsmr-reader readings or statistics table/) });
  }, 120_000);
});
