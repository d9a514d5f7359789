/**
 * What the rollup step costs the write transaction: the same batches written through writeBatch with
 * the built-in steps only, then with the rollup step too. 100 devices each send one DSMR-like reading
 * (registers, power, voltage, current, a gas capture) per second; one batch holds one second of the fleet.
 *
 *   npx node grafana/bench/rollup-write.bench.ts     (SEM_BENCH_MARIADB_URL, default mysql://root@127.0.0.1:3306)
 */
import { createConnection } from 'mysql2/promise';
import { createKysely, migrateToLatest, parseMysqlUrl } from '@sem/db';
import { rollupWriteStep } from '../../services/ingest-api/src/rollups/index.ts';
import { READING_SOURCES, type PreparedReading } from '../../services/ingest-api/src/write/prepared-reading.ts';
import { writeBatch } from '../../services/ingest-api/src/write/write-batch.ts';
import { DEFAULT_WRITE_STEPS, type WriteStep } from '../../services/ingest-api/src/write/write-steps.ts';

const DB = 'sem_bench_rollup_write';
const DEVICES = 100;
const SECONDS = 60;
const server = parseMysqlUrl(process.env['SEM_BENCH_MARIADB_URL'] ?? 'mysql://root@127.0.0.1:3306');
const admin = await createConnection({ ...server, database: undefined });
await admin.query(`DROP DATABASE IF EXISTS \`${DB}\``);
await admin.query(`CREATE DATABASE \`${DB}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
const db = createKysely({ ...server, database: DB });
await migrateToLatest(db);
const now = new Date();
await db
  .insertInto('device')
  .values(Array.from({ length: 2 * DEVICES }, (_, i) => ({ name: `d${i}`, time_zone: 'Europe/Brussels', country: 'BE', send_interval_s: 1, created_at: now, updated_at: now })))
  .execute();

function batch(firstDevice: number, second: number): PreparedReading[] {
  const t = new Date(Date.UTC(2026, 9, 1) + second * 1000);
  return Array.from({ length: DEVICES }, (_, d) => ({
    deviceId: firstDevice + d,
    meterTime: t,
    receivedAt: new Date(t.getTime() + 200),
    source: READING_SOURCES.p1,
    columns: {
      energy_import_t1_wh: 1_000_000 + second,
      energy_import_t2_wh: 2_000_000,
      energy_export_t1_wh: 10_000,
      energy_export_t2_wh: 20_000,
      power_import_w: 3600,
      power_export_w: 0,
      power_import_l1_w: 1800,
      voltage_l1_dv: 2300 + (second % 7),
      current_l1_ca: 800,
      tariff: 1,
    },
    mbus: [{ channel: 1, capturedAt: new Date(Math.floor(t.getTime() / 300_000) * 300_000), deviceType: 3, equipmentId: null, value: (100 + Math.floor(second / 300) / 100).toFixed(3), unit: 'm3', valvePosition: null }],
    powerFailures: [],
    peaks: [],
    raw: [],
    meter: null,
  }));
}

async function run(label: string, firstDevice: number, steps: readonly WriteStep[]): Promise<number> {
  const times: number[] = [];
  for (let s = 0; s < SECONDS; s++) {
    const rows = batch(firstDevice, s);
    const t0 = performance.now();
    await writeBatch(db, rows, steps);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const total = times.reduce((a, b) => a + b, 0);
  console.log(`${label.padEnd(28)} median ${times[Math.floor(times.length / 2)]!.toFixed(1)} ms per ${DEVICES}-row batch, p95 ${times[Math.floor(times.length * 0.95)]!.toFixed(1)} ms, ${Math.round((DEVICES * SECONDS) / (total / 1000))} rows/s`);
  return total;
}

const base = await run('built-in steps', 1, DEFAULT_WRITE_STEPS);
const withRollups = await run('built-in steps + rollups', 1 + DEVICES, [...DEFAULT_WRITE_STEPS, rollupWriteStep]);
console.log(`rollups add ${(((withRollups - base) / base) * 100).toFixed(0)} % to the write transaction time`);
await db.destroy();
await admin.query(`DROP DATABASE IF EXISTS \`${DB}\``);
await admin.end();
