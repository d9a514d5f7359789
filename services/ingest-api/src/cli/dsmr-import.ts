// Imports a dsmr-reader installation's data into a device: `npm run dsmr-import -- --device NAME FILE...`.
// Each FILE is one of: its readings table (dsmr_datalogger_dsmrreading), its hour or day statistics tables
// (dsmr_stats_hourstatistics, dsmr_stats_daystatistics), dumped with a header line, e.g. from PostgreSQL:
//   psql dsmrreader -c "\copy (SELECT * FROM dsmr_datalogger_dsmrreading ORDER BY timestamp) TO 'readings.csv' CSV HEADER"
// or its web export of hour or day statistics (Export → CSV). Readings are imported first, then hours, then days.
// Reads the same SEM_DB_* environment as the server.
import { parseArgs } from 'node:util';
import { createIngest } from '@sem/ingest';
import { createKysely } from '@sem/db';
import { loadConfigOrExit } from '../config.ts';
import { DumpFormatError, importDsmrReadings, type ImportSummary } from '../dsmr-import/dsmr-import.ts';
import { dsmrFileKind, type DsmrFileKind } from '../dsmr-import/dsmr-statistic-row.ts';
import { importDsmrStatistics, type StatisticsSummary } from '../dsmr-import/statistics-import.ts';
import { readHeadAndFirst } from '../dsmr-import/table-dump.ts';
import { deviceByIdOrName, reportCliError } from './cli-errors.ts';

const USAGE = `usage: dsmr-import --device ID|NAME [--batch N] [--json] FILE...
  FILE: dsmr-reader's readings table (dsmr_datalogger_dsmrreading), its hour or day statistics tables
  (dsmr_stats_hourstatistics, dsmr_stats_daystatistics) with a header line (CSV or tab-separated), or its
  web export of hour or day statistics. Readings go through the write path; statistics fill the hour and day
  rollups where no readings are (readings win). Progress is saved in FILE.sem-import.json: run the same
  command again to resume. Importing the same data again changes nothing.`;

const { values: o, positionals } = parseArgs({
  allowPositionals: true,
  options: { device: { type: 'string' }, state: { type: 'string' }, batch: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
});
if (o.help || positionals.length === 0 || !o.device || (o.state !== undefined && positionals.length > 1)) {
  console.log(USAGE + (o.state !== undefined ? '\n  --state FILE: the state file of a single FILE.' : ''));
  process.exit(o.help ? 0 : 2);
}
const batch = o.batch === undefined ? 1000 : Number(o.batch);
if (!Number.isInteger(batch) || batch < 1 || batch > 3600) {
  console.error('error: --batch must be 1..3600');
  process.exit(2);
}

const config = loadConfigOrExit(process.env);
const db = createKysely({ ...config.db, connectionLimit: 2 });
// Rollups in each write transaction: nothing is left in memory when the import ends.
const engine = createIngest({ db, config: { ...config, rollupFlushMs: 0 } });
const ORDER: readonly DsmrFileKind[] = ['readings', 'hour-statistics', 'day-statistics'];
const readingsLine = (s: ImportSummary) =>
  `line ${s.lines}: ${s.accepted} stored, ${s.merged} merged, ${s.duplicates} already there, ${s.rejected} refused, ${s.insideCut} inside the retention cut (not rolled up), ${s.unreadable} unreadable`;
const statisticsLine = (s: StatisticsSummary) =>
  `line ${s.lines}: ${s.filled} ${s.kind === 'hour-statistics' ? 'hours' : 'days'} filled, ${s.kept} already filled (kept), ${s.afterReadings} after the device's first reading (readings win), ${s.offHour} not on a UTC hour, ${s.unreadable} unreadable`;
const progress = (text: string) => process.stderr.isTTY && process.stderr.write(`\r\x1b[2K${text}`);

try {
  const device = await deviceByIdOrName(db, o.device);
  const files = [];
  for (const path of positionals) {
    const { header, first } = await readHeadAndFirst(path);
    const found = dsmrFileKind(header, first);
    if (!found) throw new DumpFormatError(`${path}: not a dsmr-reader readings or statistics table, nor its web export of statistics`);
    files.push({ path, ...found });
  }
  files.sort((a, b) => ORDER.indexOf(a.kind) - ORDER.indexOf(b.kind));
  const summaries: (ImportSummary | StatisticsSummary)[] = [];
  const lines: string[] = [];
  for (const f of files) {
    const statePath = o.state ?? `${f.path}.sem-import.json`;
    if (f.kind === 'readings') {
      const s = await importDsmrReadings(engine, { id: device.id, sendIntervalSeconds: device.sendIntervalSeconds }, f.path, { statePath, batchSize: batch, progress: (x) => progress(readingsLine(x)) });
      summaries.push(s);
      lines.push(`${device.name} ← ${f.path} (readings): ${readingsLine(s)}${s.resumedAfter ? ` (resumed after line ${s.resumedAfter})` : ''}`, ...s.examples);
    } else {
      const s = await importDsmrStatistics(db, { id: device.id, timeZone: device.timeZone }, f.path, f.kind, f.columns, { statePath, batchSize: batch, progress: (x) => progress(statisticsLine(x)) });
      summaries.push(s);
      lines.push(`${device.name} ← ${f.path} (${f.kind}): ${statisticsLine(s)}${s.resumedAfter ? ` (resumed after line ${s.resumedAfter})` : ''}`, ...s.examples);
    }
    if (process.stderr.isTTY) process.stderr.write('\n');
  }
  console.log(o.json ? JSON.stringify(summaries.length === 1 ? summaries[0] : summaries, null, 2) : lines.join('\n'));
} catch (err) {
  reportCliError(err);
} finally {
  await engine.close();
  await db.destroy();
}
