// Where the work of a sharded INSERT goes: one client writes N rows into `reading` in multi-row
// INSERT … ON DUPLICATE KEY UPDATE transactions (the write path's statement shape), and the CPU seconds
// of each server process (pid files) are read from /proc before and after. CPU per row holds up on a
// shared machine far better than rows/s does.
//   node bench/scale-out/shard-insert.bench.ts --socket S --db sem --rows 60000 --batch 300 --pid head=F --pid s1=F …
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createConnection } from 'mysql2/promise';

const { values: o } = parseArgs({
  options: {
    socket: { type: 'string' },
    db: { type: 'string', default: 'sem' },
    rows: { type: 'string', default: '60000' },
    batch: { type: 'string', default: '300' },
    devices: { type: 'string', default: '64' },
    'first-device': { type: 'string', default: '1' },
    pid: { type: 'string', multiple: true, default: [] },
    /** name=socket: statement counters of that server (what Spider sends a shard per row). */
    counters: { type: 'string', multiple: true, default: [] },
    label: { type: 'string', default: '' },
  },
});
const rows = Number(o.rows);
const batch = Number(o.batch);
const devices = Number(o.devices);
const firstDevice = Number(o['first-device']);
const pids = o.pid.map((p) => {
  const [name, file] = p.split('=');
  return { name: name!, pid: Number(readFileSync(file!, 'latin1').trim()) };
});
const cpuS = (pid: number) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'latin1').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
};

const c = await createConnection({ socketPath: o.socket, user: 'root', database: o.db, timezone: 'Z' });
await c.query("SET time_zone = '+00:00'");
const [[{ n: before }]] = (await c.query('SELECT COUNT(*) AS n FROM reading')) as unknown as [[{ n: number }]];
const t0ms = Date.UTC(2026, 10, 1);
const cols = 'device_id, meter_time, received_at, source, energy_import_t1_wh, energy_import_t2_wh, power_import_w, voltage_l1_dv, current_l1_ca';
const upd = ['energy_import_t1_wh', 'energy_import_t2_wh', 'power_import_w', 'voltage_l1_dv', 'current_l1_ca'].map((x) => `${x} = COALESCE(${x}, VALUES(${x}))`).join(', ');
const COUNTERS = ['Questions', 'Com_insert', 'Com_select', 'Com_begin', 'Com_commit', 'Com_xa_commit'];
async function counters(): Promise<Record<string, Record<string, number>>> {
  const out: Record<string, Record<string, number>> = {};
  for (const spec of o.counters) {
    const [name, socketPath] = spec.split('=');
    const sc = await createConnection({ socketPath, user: 'root' });
    const [r] = await sc.query(`SHOW GLOBAL STATUS WHERE Variable_name IN (${COUNTERS.map((x) => `'${x}'`).join(', ')})`);
    out[name!] = Object.fromEntries((r as { Variable_name: string; Value: string }[]).map((x) => [x.Variable_name, Number(x.Value)]));
    await sc.end();
  }
  return out;
}
const counters0 = await counters();
const cpu0 = pids.map((p) => cpuS(p.pid));
const load0 = readFileSync('/proc/loadavg', 'latin1').split(' ').slice(0, 3).join(' ');
const start = performance.now();
for (let i = 0; i < rows; i += batch) {
  const values: string[] = [];
  for (let j = i; j < Math.min(rows, i + batch); j++) {
    const d = firstDevice + (j % devices);
    const k = Math.floor(j / devices);
    const t = new Date(t0ms + k * 1000).toISOString().slice(0, 23).replace('T', ' ');
    values.push(`(${d}, '${t}', '${t}', 1, ${1_000_000 + k}, ${500_000 + k}, ${k % 4000}, ${2300 + (k % 50)}, ${k % 1700})`);
  }
  await c.query('BEGIN');
  await c.query(`INSERT INTO reading (${cols}) VALUES ${values.join(', ')} ON DUPLICATE KEY UPDATE ${upd}`);
  await c.query('COMMIT');
}
const seconds = (performance.now() - start) / 1000;
const counters1 = await counters();
const perRow = Object.fromEntries(Object.entries(counters1).map(([name, v]) => [name, Object.fromEntries(COUNTERS.map((k) => [k, Number(((v[k]! - counters0[name]![k]!) / (rows / batch)).toFixed(1))]))]));
const [[{ n: after }]] = (await c.query('SELECT COUNT(*) AS n FROM reading')) as unknown as [[{ n: number }]];
await c.end();
const stored = Number(after) - Number(before);
const cpu = Object.fromEntries(pids.map((p, i) => [p.name, Math.round(((cpuS(p.pid) - cpu0[i]!) * 1e6) / stored)]));
const load1 = readFileSync('/proc/loadavg', 'latin1').split(' ').slice(0, 3).join(' ');
console.log(JSON.stringify({ label: o.label, rows: stored, batch, seconds: Number(seconds.toFixed(1)), rowsPerS: Math.round(stored / seconds), cpuUsPerRow: cpu, statementsPerTransaction: perRow, load: `${load0} -> ${load1}` }));
