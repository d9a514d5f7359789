// Bytes on disk per raw reading (issue #7 budget: <= 60 incl. indexes) for 1 Hz P1 data through the real write path.
// Run: npx node services/ingest-api/bench/storage.bench.ts [devices=20] [seconds=3600]
// Uses database sem_bench_storage on SEM_BENCH_MARIADB_URL (default mysql://root@127.0.0.1:3306).
import { createConnection } from 'mysql2/promise';
import { sql } from 'kysely';
import { createKysely, migrateToLatest, parseMysqlUrl } from '@sem/db';
import { emptyReading } from '@sem/meter-protocol';
import { DEFAULT_WRITE_STEPS, prepareReading, writeBatch, type PreparedReading } from '@sem/ingest';

const devices = Number(process.argv[2] ?? 20);
const seconds = Number(process.argv[3] ?? 3600);
const NAME = 'sem_bench_storage';
const server = parseMysqlUrl(process.argv[4] ?? 'mysql://root@127.0.0.1:3306');

const admin = await createConnection({ ...server, database: undefined });
await admin.query(`DROP DATABASE IF EXISTS ${NAME}`);
await admin.query(`CREATE DATABASE ${NAME}`);
const db = createKysely({ ...server, database: NAME });
await migrateToLatest(db);
// Optional 5th argument: table options to compare, e.g. "ROW_FORMAT=COMPRESSED KEY_BLOCK_SIZE=4".
if (process.argv[5]) await sql.raw(`ALTER TABLE reading ${process.argv[5]}`).execute(db);

const start = Date.UTC(2026, 0, 15, 0, 0, 0);
for (let d = 1; d <= devices; d++) {
  const now = new Date();
  await db.insertInto('device').values({ name: `bench-${d}`, time_zone: 'Europe/Brussels', country: 'BE', send_interval_s: 1, created_at: now, updated_at: now }).execute();
}
const t0 = Date.now();
// A realistic 3-phase e-MUCS telegram: registers creep, power and voltage wander, currents follow power.
let rng = 42;
const rand = () => ((rng = (rng * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
for (let d = 1; d <= devices; d++) {
  let import1 = 12_345.678 + d;
  let power = 500 + d * 10;
  let batch: PreparedReading[] = [];
  for (let s = 0; s < seconds; s++) {
    power = Math.max(0, power + (rand() - 0.5) * 80);
    import1 += power / 3_600_000;
    const r = emptyReading('p1');
    r.meterTime = new Date(start + s * 1000);
    r.values = {
      energyImportT1Kwh: Math.round(import1 * 1000) / 1000,
      energyImportT2Kwh: 23_456.789,
      energyExportT1Kwh: 1_234.5,
      energyExportT2Kwh: 345.6,
      powerImportW: Math.round(power),
      powerExportW: 0,
      powerImportL1W: Math.round(power / 3),
      powerImportL2W: Math.round(power / 3),
      powerImportL3W: Math.round(power / 3),
      powerExportL1W: 0,
      powerExportL2W: 0,
      powerExportL3W: 0,
      voltageL1V: Math.round((230 + rand() * 4) * 10) / 10,
      voltageL2V: Math.round((230 + rand() * 4) * 10) / 10,
      voltageL3V: Math.round((230 + rand() * 4) * 10) / 10,
      currentL1A: Math.round((power / 3 / 230) * 100) / 100,
      currentL2A: Math.round((power / 3 / 230) * 100) / 100,
      currentL3A: Math.round((power / 3 / 230) * 100) / 100,
      tariff: 1,
      demandCurrentAverageKw: Math.round(power) / 1000,
      breakerState: 1,
      limiterThresholdKw: 999.9,
      fuseThresholdA: 999,
    };
    const p = prepareReading(r, { deviceId: d, receivedAt: new Date(start + s * 1000 + 300), source: 'p1' });
    if ('ok' in p) batch.push(p.ok);
    if (batch.length === 1000) {
      await writeBatch(db, batch, DEFAULT_WRITE_STEPS);
      batch = [];
    }
  }
  if (batch.length) await writeBatch(db, batch, DEFAULT_WRITE_STEPS);
}
const insertS = (Date.now() - t0) / 1000;
await sql`ANALYZE TABLE reading`.execute(db);
const [stats] = await admin.query(
  `SELECT t.TABLE_ROWS AS est_rows, t.DATA_LENGTH AS data, t.INDEX_LENGTH AS idx, s.FILE_SIZE AS file, s.ALLOCATED_SIZE AS allocated
   FROM information_schema.TABLES t JOIN information_schema.INNODB_SYS_TABLESPACES s ON s.NAME = CONCAT(t.TABLE_SCHEMA, '/', t.TABLE_NAME)
   WHERE t.TABLE_SCHEMA = ? AND t.TABLE_NAME = 'reading'`,
  [NAME],
);
const row = (stats as Record<string, number>[])[0]!;
const rows = devices * seconds;
console.log(JSON.stringify({ options: process.argv[5] ?? 'migration default', devices, seconds, rows, insertRowsPerS: Math.round(rows / insertS), ...row }));
console.log(`bytes/reading: data+index ${((Number(row.data) + Number(row.idx)) / rows).toFixed(1)}, file ${(Number(row.file) / rows).toFixed(1)}, allocated ${(Number(row.allocated) / rows).toFixed(1)}`);
await db.destroy();
await admin.query(`DROP DATABASE ${NAME}`);
await admin.end();
