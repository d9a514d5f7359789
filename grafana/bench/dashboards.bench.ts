/**
 * Times every panel query of every dashboard over "last 30 days" and "last year" against a year of
 * one meter (bench-seed.ts), expanded exactly as Grafana expands it. Target: < 100 ms per panel.
 *
 *   npx node grafana/bench/dashboards.bench.ts            (SEM_BENCH_MARIADB_URL, default mysql://root@127.0.0.1:3306)
 *   SEM_BENCH_RESEED=1 ...                                 rebuild the database sem_bench_grafana
 */
import { createConnection } from 'mysql2/promise';
import { createKysely, migrateToLatest, parseMysqlUrl } from '@sem/db';
import { DASHBOARDS } from '../src/dashboards.ts';
import { expandQuery, type VariableValue } from '../src/grafana-macros.ts';
import { seedYear } from './bench-seed.ts';

const DB = 'sem_bench_grafana';
const RUNS = 5;
const TARGET_MS = 100;
const END = new Date('2026-10-28T12:00:00Z');
const SEED = { end: END, days: 365, rawDays: Number(process.env['SEM_BENCH_RAW_DAYS'] ?? 7) };

const server = parseMysqlUrl(process.env['SEM_BENCH_MARIADB_URL'] ?? 'mysql://root@127.0.0.1:3306');
const admin = await createConnection({ ...server, database: undefined });
// The seed's last step writes rollup_reject_hour: rows there mean a complete seed.
const [have] = await admin.query(`SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'rollup_reject_hour'`, [DB]);
const seeded = (have as { n: number }[])[0]!.n > 0 && ((await admin.query(`SELECT COUNT(*) AS n FROM \`${DB}\`.rollup_reject_hour`))[0] as { n: number }[])[0]!.n > 0;
if (!seeded || process.env['SEM_BENCH_RESEED'] === '1') {
  console.log(`seeding ${DB}: a year of one meter, raw rows for the last ${SEED.rawDays} days`);
  await admin.query(`DROP DATABASE IF EXISTS \`${DB}\``);
  await admin.query(`CREATE DATABASE \`${DB}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
  const db = createKysely({ ...server, database: DB });
  await migrateToLatest(db);
  await db.destroy();
  const conn = await createConnection({ ...server, database: DB, timezone: 'Z' });
  await conn.query("SET time_zone = '+00:00'");
  await seedYear(conn, SEED);
  await conn.query('ANALYZE TABLE reading, rollup_minute, rollup_quarter, rollup_hour, rollup_day');
  await conn.end();
}
await admin.end();

const conn = await createConnection({ ...server, database: DB, timezone: 'Z', decimalNumbers: true });
await conn.query("SET time_zone = '+00:00'");

const RANGES = {
  '30 days': { from: END.getTime() - 30 * 86_400_000, to: END.getTime() },
  '1 year': { from: END.getTime() - 365 * 86_400_000, to: END.getTime() },
};

interface Row {
  dashboard: string;
  panel: string;
  ms: Record<string, number>;
  rows: Record<string, number>;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const results: Row[] = [];
for (const d of Object.values(DASHBOARDS)) {
  const periods = d.templating.list.some((v) => v.name === 'period') ? ['day', 'week', 'month'] : [undefined];
  for (const p of d.panels) {
    for (const period of periods) {
      if (period && !p.targets.some((t) => t.rawSql.includes('${period}'))) continue;
      const variables: Record<string, VariableValue> = { device: d.templating.list[0]!['multi'] ? { value: ['1'], multi: true } : { value: '1' } };
      if (period) variables['period'] = { value: period };
      const row: Row = { dashboard: d.uid, panel: p.title.replace('${period}', period ?? ''), ms: {}, rows: {} };
      for (const [name, range] of Object.entries(RANGES)) {
        let total = 0;
        let n = 0;
        for (const t of p.targets) {
          const { sql } = expandQuery(t.rawSql, { range, variables, maxDataPoints: p.maxDataPoints ?? 1000, minInterval: p.interval ?? '1s' });
          await conn.query(sql); // warm-up
          const times: number[] = [];
          for (let i = 0; i < RUNS; i++) {
            const t0 = performance.now();
            const [r] = await conn.query(sql);
            times.push(performance.now() - t0);
            n = (r as unknown[]).length;
          }
          total += median(times);
        }
        row.ms[name] = total;
        row.rows[name] = n;
      }
      results.push(row);
    }
  }
}
await conn.end();

const pad = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s.padEnd(n));
const num = (x: number) => x.toFixed(1).padStart(8);
console.log(`\nmedian of ${RUNS} runs per query, ms (rows returned); target < ${TARGET_MS} ms per panel`);
console.log(`${pad('dashboard', 18)}${pad('panel', 58)}${'30 days'.padStart(8)}${''.padStart(8)}${'1 year'.padStart(8)}${''.padStart(8)}`);
let slow = 0;
for (const r of results) {
  const flag = Object.values(r.ms).some((ms) => ms >= TARGET_MS) ? '  SLOW' : '';
  if (flag) slow++;
  console.log(`${pad(r.dashboard, 18)}${pad(r.panel, 58)}${num(r.ms['30 days']!)}${`(${r.rows['30 days']})`.padStart(8)}${num(r.ms['1 year']!)}${`(${r.rows['1 year']})`.padStart(8)}${flag}`);
}
const worst = Math.max(...results.flatMap((r) => Object.values(r.ms)));
console.log(`\n${results.length} panel queries per range; slowest ${worst.toFixed(1)} ms; ${slow} at or over ${TARGET_MS} ms`);
