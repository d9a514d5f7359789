// Imports a dsmr-reader installation's readings into a device: `npm run dsmr-import -- --device NAME dump.csv`.
// The dump is its readings table with a header line, e.g. from PostgreSQL:
//   psql dsmrreader -c "\copy (SELECT * FROM dsmr_datalogger_dsmrreading ORDER BY timestamp) TO 'readings.csv' CSV HEADER"
// Reads the same SEM_DB_* environment as the server.
import { parseArgs } from 'node:util';
import { createIngest } from '@sem/ingest';
import { createKysely } from '@sem/db';
import { loadConfigOrExit } from '../config.ts';
import { importDsmrReadings, type ImportSummary } from '../dsmr-import/dsmr-import.ts';
import { deviceByIdOrName, reportCliError } from './cli-errors.ts';

const USAGE = `usage: dsmr-import --device ID|NAME [--state FILE] [--batch N] [--json] READINGS.csv
  READINGS.csv: dsmr-reader's dsmr_datalogger_dsmrreading table with a header line (CSV or tab-separated).
  Progress is saved in --state (default READINGS.csv.sem-import.json): run the same command again to resume.
  Importing the same readings again changes nothing (they count as duplicates).`;

const { values: o, positionals } = parseArgs({
  allowPositionals: true,
  options: { device: { type: 'string' }, state: { type: 'string' }, batch: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
});
if (o.help || positionals.length !== 1 || !o.device) {
  console.log(USAGE);
  process.exit(o.help ? 0 : 2);
}
const batch = o.batch === undefined ? 1000 : Number(o.batch);
if (!Number.isInteger(batch) || batch < 1 || batch > 3600) {
  console.error('error: --batch must be 1..3600');
  process.exit(2);
}

const dump = positionals[0]!;
const config = loadConfigOrExit(process.env);
const db = createKysely({ ...config.db, connectionLimit: 2 });
// Rollups in each write transaction: nothing is left in memory when the import ends.
const engine = createIngest({ db, config: { ...config, rollupFlushMs: 0 } });
const line = (s: ImportSummary) =>
  `line ${s.lines}: ${s.accepted} stored, ${s.merged} merged, ${s.duplicates} already there, ${s.rejected} refused, ${s.unreadable} unreadable`;

try {
  const device = await deviceByIdOrName(db, o.device);
  const summary = await importDsmrReadings(engine, { id: device.id, sendIntervalSeconds: device.sendIntervalSeconds }, dump, {
    statePath: o.state ?? `${dump}.sem-import.json`,
    batchSize: batch,
    progress: (s) => process.stderr.isTTY && process.stderr.write(`\r\x1b[2K${line(s)}`),
  });
  if (process.stderr.isTTY) process.stderr.write('\n');
  console.log(o.json ? JSON.stringify(summary, null, 2) : [`${device.name}: ${line(summary)}${summary.resumedAfter ? ` (resumed after line ${summary.resumedAfter})` : ''}`, ...summary.examples].join('\n'));
} catch (err) {
  reportCliError(err);
} finally {
  await engine.close();
  await db.destroy();
}
