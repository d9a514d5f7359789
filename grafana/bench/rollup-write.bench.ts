/**
 * What the rollup step costs the write transaction: the same batches written through writeBatch with
 * the built-in steps only, then with the rollup step too. 100 devices each send one DSMR-like reading
 * (registers, power, voltage, current, a gas capture) per second; one batch holds one second of the fleet.
 *
 *   npx node grafana/bench/rollup-write.bench.ts     (SEM_BENCH_MARIADB_URL, default mysql://root@127.0.0.1:3306)
 */
import { createConnection } from 'mysql2/promise';
import { createKysely, migrateToLatest, parseMysqlUrl } from '@sem/db';
import { DEFAULT_WRITE_STEPS, READING_SOURCES, rollupWriteStep, writeBatch, type PreparedReading, type WriteStep } from '@sem/ingest';

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

/** Both variants take turns batch by batch, so a busy machine slows both alike. */
async function run(): Promise<void> {
  const variants = [
    { label: 'built-in steps', first: 1, steps: DEFAULT_WRITE_STEPS, times: [] as number[] },
    { label: 'built-in steps + rollups', first: 1 + DEVICES, steps: [...DEFAULT_WRITE_STEPS, rollupWriteStep], times: [] as number[] },
  ];
  for (let s = 0; s < SECONDS; s++) {
    for (const v of s % 2 === 0 ? variants : [...variants].reverse()) {
      const rows = batch(v.first, s);
      const t0 = performance.now();
      await writeBatch(db, rows, v.steps);
      v.times.push(performance.now() - t0);
    }
  }
  for (const v of variants) {
    const sorted = [...v.times].sort((a, b) => a - b);
    const total = sorted.reduce((a, b) => a + b, 0);
    console.log(`${v.label.padEnd(28)} median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(1)} ms per ${DEVICES}-row batch, p95 ${sorted[Math.floor(sorted.length * 0.95)]!.toFixed(1)} ms, ${Math.round((DEVICES * SECONDS) / (total / 1000))} rows/s`);
  }
  const med = (v: (typeof variants)[number]) => [...v.times].sort((a, b) => a - b)[Math.floor(v.times.length / 2)]!;
  console.log(`rollups add ${(med(variants[1]!) - med(variants[0]!)).toFixed(1)} ms (median) to a ${DEVICES}-row write transaction`);
}

await run();
await db.destroy();
await admin.query(`DROP DATABASE IF EXISTS \`${DB}\``);
await admin.end();
