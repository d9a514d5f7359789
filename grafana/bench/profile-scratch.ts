import { Kysely, MysqlDialect } from 'kysely';
import { createConnection } from 'mysql2/promise';
import { createMysqlPool, migrateToLatest, parseMysqlUrl } from '@sem/db';
import { rollupWriteStep } from '../../services/ingest-api/src/rollups/index.ts';
import { READING_SOURCES, type PreparedReading } from '../../services/ingest-api/src/write/prepared-reading.ts';
import { writeBatch } from '../../services/ingest-api/src/write/write-batch.ts';
import { DEFAULT_WRITE_STEPS } from '../../services/ingest-api/src/write/write-steps.ts';

const DB = 'sem_bench_rollup_profile';
const server = parseMysqlUrl('mysql://root@127.0.0.1:3306');
const admin = await createConnection({ ...server, database: undefined });
await admin.query(`DROP DATABASE IF EXISTS \`${DB}\``);
await admin.query(`CREATE DATABASE \`${DB}\``);
const stats = new Map<string, { n: number; ms: number }>();
let on = false;
const db = new Kysely<any>({
  dialect: new MysqlDialect({ pool: createMysqlPool({ ...server, database: DB }) }),
  log(e) {
    if (!on) return;
    const k = e.query.sql.replace(/\s+/g, ' ').trim().slice(0, 70);
    const s = stats.get(k) ?? { n: 0, ms: 0 };
    s.n++;
    s.ms += e.queryDurationMillis;
    stats.set(k, s);
  },
});
await migrateToLatest(db);
const now = new Date();
await db.insertInto('device').values(Array.from({ length: 100 }, (_, i) => ({ name: `d${i}`, time_zone: 'Europe/Brussels', country: 'BE', send_interval_s: 1, created_at: now, updated_at: now }))).execute();
for (let second = 0; second < 40; second++) {
  const t = new Date(Date.UTC(2026, 9, 1) + second * 1000);
  const rows: PreparedReading[] = Array.from({ length: 100 }, (_, d) => ({
    deviceId: 1 + d, meterTime: t, receivedAt: new Date(t.getTime() + 200), source: READING_SOURCES.p1,
    columns: { energy_import_t1_wh: 1_000_000 + second, energy_import_t2_wh: 2_000_000, energy_export_t1_wh: 10_000, energy_export_t2_wh: 20_000, power_import_w: 3600, voltage_l1_dv: 2300, current_l1_ca: 800 },
    mbus: [{ channel: 1, capturedAt: new Date(Math.floor(t.getTime() / 300_000) * 300_000), deviceType: 3, equipmentId: null, value: '100.000', unit: 'm3', valvePosition: null }],
    powerFailures: [], peaks: [], raw: [], meter: null,
  }));
  on = second >= 10;
  const t0 = performance.now();
  await writeBatch(db, rows, [...DEFAULT_WRITE_STEPS, rollupWriteStep]);
  if (on) { const s = stats.get('TOTAL') ?? { n: 0, ms: 0 }; s.n++; s.ms += performance.now() - t0; stats.set('TOTAL', s); }
}
for (const [k, v] of [...stats].sort((a, b) => b[1].ms - a[1].ms)) console.log(`${(v.ms / 30).toFixed(2).padStart(8)} ms/batch ${String(v.n).padStart(5)}x  ${k}`);
await db.destroy();
await admin.query(`DROP DATABASE IF EXISTS \`${DB}\``);
await admin.end();
