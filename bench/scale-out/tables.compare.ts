// Checks a scale-out run against what its devices were told:
//  1. every acknowledged reading is stored once with the values sent, and nothing else is (lost / duplicated);
//  2. every Galera node holds the same tables (CHECKSUM TABLE);
//  3. every table equals, row for row, the one of a single-server run of the same input, with device ids
//     mapped through device names (ids differ: Galera steps AUTO_INCREMENT by the cluster size).
//   node bench/scale-out/tables.compare.ts --run run.json --a mysql://… --b mysql://… [--node mysql://… ×3] --out r.json
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createConnection, type Connection } from 'mysql2/promise';
import { meterReading } from './meter-readings.factory.ts';

const { values: o } = parseArgs({
  options: {
    run: { type: 'string' },
    a: { type: 'string' },
    b: { type: 'string' },
    node: { type: 'string', multiple: true, default: [] },
    out: { type: 'string', default: 'compare.json' },
  },
});
if (!o.run || !o.a || !o.b) throw new Error('--run, --a and --b are needed');

// Columns that hold a wall-clock time or a secret, not what the devices sent; surrogate ids.
const VOLATILE = new Set(['id', 'received_at', 'created_at', 'updated_at', 'revoked_at', 'key_hash', 'hint', 'first_seen_at', 'last_seen_at']);
const SKIP_TABLES = new Set(['device_key', 'kysely_migration', 'kysely_migration_lock', 'rollup_journal']);
// Wall-clock bookkeeping, listed in the result but not compared: retention's purge boundary (now − 90 days)
// and refused requests per hour of refusal (the kill run's 503s during fail-over; the reference run has none).
const REPORT_ONLY = new Set(['rollup_purge', 'rollup_reject_hour']);
/** DOUBLE sums depend on the order deltas were added (flush grouping): compared also at 12 significant digits. */
const roundDouble = (v: unknown) => (typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(12)) : v);

const run = JSON.parse(readFileSync(o.run, 'utf8')) as { devices: { index: number; name: string; acked: number }[] };
const connect = (url: string) => createConnection({ uri: url, timezone: 'Z', dateStrings: true, supportBigNumbers: true, bigNumberStrings: true });
const a = await connect(o.a);
const b = await connect(o.b);

async function namesById(c: Connection): Promise<Map<string, string>> {
  const [rows] = await c.query('SELECT id, name FROM device');
  return new Map((rows as { id: number; name: string }[]).map((r) => [String(r.id), r.name]));
}

// 1. Lost and duplicated, per device.
const ids = new Map([...(await namesById(a))].map(([id, name]) => [name, Number(id)]));
let lost = 0;
let extra = 0;
let wrong = 0;
const lossExamples: string[] = [];
for (const d of run.devices) {
  const id = ids.get(d.name);
  if (id === undefined) throw new Error(`device ${d.name} missing in --a`);
  const [rows] = await a.query('SELECT UNIX_TIMESTAMP(meter_time) * 1000 AS t, energy_import_t1_wh AS e FROM reading WHERE device_id = ?', [id]);
  const stored = new Map((rows as { t: string; e: string }[]).map((r) => [Math.round(Number(r.t)), Number(r.e)]));
  for (let k = 0; k < d.acked; k++) {
    const r = meterReading(d.index, k);
    const e = stored.get(r.time);
    if (e === undefined) {
      lost++;
      if (lossExamples.length < 10) lossExamples.push(`${d.name} reading ${k} (${new Date(r.time).toISOString()})`);
    } else if (e !== Math.round(r.energyImportT1Kwh * 1000)) wrong++;
    stored.delete(r.time);
  }
  extra += stored.size;
}
const [[journalA]] = (await a.query('SELECT COUNT(*) AS n FROM rollup_journal')) as unknown as [[{ n: number }]];
const [[journalB]] = (await b.query('SELECT COUNT(*) AS n FROM rollup_journal')) as unknown as [[{ n: number }]];

// 2. Every node the same.
const [tableRows] = await a.query("SELECT table_name AS t FROM information_schema.TABLES WHERE table_schema = DATABASE() ORDER BY table_name");
const tables = (tableRows as { t: string }[]).map((r) => r.t);
const nodeChecksums: Record<string, Record<string, string>> = {};
for (const url of o.node) {
  const c = await connect(url);
  const sums: Record<string, string> = {};
  for (const t of tables) {
    const [[row]] = (await c.query(`CHECKSUM TABLE \`${t}\` EXTENDED`)) as unknown as [[{ Checksum: string }]];
    sums[t] = String(row.Checksum);
  }
  nodeChecksums[new URL(url).port] = sums;
  await c.end();
}
const nodeSets = Object.values(nodeChecksums);
const nodesDiffer = tables.filter((t) => new Set(nodeSets.map((s) => s[t])).size > 1);

// 3. Table by table against the single-server run.
async function canonical(c: Connection, table: string, names: Map<string, string>, rounded: boolean): Promise<{ columns: string[]; rows: string[] }> {
  const [cols] = await c.query('SELECT column_name AS c FROM information_schema.COLUMNS WHERE table_schema = DATABASE() AND table_name = ? ORDER BY ordinal_position', [table]);
  const columns = (cols as { c: string }[]).map((r) => r.c).filter((n) => !VOLATILE.has(n));
  const [rows] = await c.query({ sql: `SELECT ${columns.map((n) => `\`${n}\``).join(', ')} FROM \`${table}\``, rowsAsArray: true });
  const di = columns.indexOf('device_id');
  const out = (rows as unknown[][]).map((r) => {
    if (di >= 0) r[di] = names.get(String(r[di])) ?? `#${String(r[di])}`;
    return JSON.stringify(rounded ? r.map(roundDouble) : r);
  });
  return { columns, rows: out.sort() };
}

type TableDiff = { rowsA: number; rowsB: number; onlyA: number; onlyB: number; columns: string[]; examplesA: string[]; examplesB: string[]; differingColumns: string[] };

/** Columns that differ between rows of A and B with the same first two values (device and bucket/time). */
function differingColumns(columns: string[], onlyA: string[], onlyB: string[]): string[] {
  const byKey = new Map(onlyB.map((r) => { const v = JSON.parse(r) as unknown[]; return [JSON.stringify(v.slice(0, 2)), v]; }));
  const out = new Set<string>();
  for (const r of onlyA) {
    const va = JSON.parse(r) as unknown[];
    const vb = byKey.get(JSON.stringify(va.slice(0, 2)));
    if (!vb) { out.add('(row missing in B)'); continue; }
    va.forEach((x, i) => { if (JSON.stringify(x) !== JSON.stringify(vb[i])) out.add(columns[i]!); });
  }
  return [...out];
}
async function diffTable(t: string, rounded: boolean): Promise<TableDiff | undefined> {
  const ca = await canonical(a, t, namesA, rounded);
  const cb = await canonical(b, t, namesB, rounded);
  const setB = new Set(cb.rows);
  const setA = new Set(ca.rows);
  const onlyA = ca.rows.filter((r) => !setB.has(r));
  const onlyB = cb.rows.filter((r) => !setA.has(r));
  if (!onlyA.length && !onlyB.length && ca.rows.length === cb.rows.length) return undefined;
  return {
    rowsA: ca.rows.length, rowsB: cb.rows.length, onlyA: onlyA.length, onlyB: onlyB.length, columns: ca.columns,
    examplesA: onlyA.slice(0, 3), examplesB: onlyB.slice(0, 3), differingColumns: differingColumns(ca.columns, onlyA, onlyB),
  };
}
const namesA = await namesById(a);
const namesB = await namesById(b);
/** Differences that remain with DOUBLE values at 12 significant digits: these fail the run. */
const tableDiffs: Record<string, TableDiff> = {};
/** Exact differences (DOUBLE sums in their last bits included), reported. */
const exactDiffs: Record<string, TableDiff> = {};
const reportOnly: Record<string, string[]> = {};
const compared: Record<string, number> = {};
for (const t of tables) {
  if (SKIP_TABLES.has(t)) continue;
  if (REPORT_ONLY.has(t)) {
    reportOnly[t] = [...(await canonical(a, t, namesA, false)).rows.slice(0, 5), '… single run:', ...(await canonical(b, t, namesB, false)).rows.slice(0, 5)];
    continue;
  }
  const [[count]] = (await a.query(`SELECT COUNT(*) AS n FROM \`${t}\``)) as unknown as [[{ n: number }]];
  compared[t] = Number(count.n);
  const exact = await diffTable(t, false);
  if (!exact) continue;
  exactDiffs[t] = exact;
  const rounded = await diffTable(t, true);
  if (rounded) tableDiffs[t] = rounded;
}
await a.end();
await b.end();

const acked = run.devices.reduce((s, d) => s + d.acked, 0);
const result = {
  acked,
  lost,
  extraRows: extra,
  wrongValues: wrong,
  lossExamples,
  journalLeft: { a: Number(journalA.n), b: Number(journalB.n) },
  nodesCompared: Object.keys(nodeChecksums),
  nodesDiffer,
  rowsCompared: compared,
  tableDiffs,
  exactDiffs: Object.fromEntries(Object.entries(exactDiffs).map(([t, d]) => [t, { rows: d.onlyA, of: d.rowsA, differingColumns: d.differingColumns, a: d.examplesA[0], b: d.examplesB[0] }])),
  reportOnly,
  ignoredColumns: [...VOLATILE],
  ignoredTables: [...SKIP_TABLES],
  pass: lost === 0 && extra === 0 && wrong === 0 && nodesDiffer.length === 0 && Object.keys(tableDiffs).length === 0 && Number(journalA.n) === 0 && Number(journalB.n) === 0,
};
writeFileSync(o.out, JSON.stringify(result, null, 1));
console.log(JSON.stringify(result, null, 1));
process.exitCode = result.pass ? 0 : 1;
