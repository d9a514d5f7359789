// Smoke step run INSIDE the pod (its network namespace): every provisioned dashboard's variable and
// panel queries, expanded the way Grafana expands them, executed as the read-only datasource user.
// Proves the Grafana account's grants cover what the dashboards read. Prints one line per dashboard.
// Env: SEM_RO_PASSWORD (required), SEM_DB_HOST/PORT/NAME, SEM_RO_USER, DASHBOARDS_DIR, RANGE_DAYS.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createConnection, type RowDataPacket } from 'mysql2/promise';
import { expandQuery, interpolateVariables, type TimeRange, type VariableValue } from '@sem/grafana';

interface Target { rawSql?: string; hide?: boolean }
interface Panel { title?: string; targets?: Target[]; panels?: Panel[]; maxDataPoints?: number; interval?: string }
interface TemplateVar {
  type: string; name: string; query?: string | { query?: string }; definition?: string; multi?: boolean; includeAll?: boolean;
  current?: { value?: string | string[] }; options?: { value: string }[];
}
interface Dashboard { title: string; panels: Panel[]; templating?: { list: TemplateVar[] } }

const env = process.env;
const dir = env.DASHBOARDS_DIR ?? new URL('../../grafana/dashboards', import.meta.url).pathname;
// The datasource's jsonData.timeInterval: Grafana's lower limit for $__interval when a panel sets none.
const dsDir = new URL('../../grafana/provisioning/datasources', import.meta.url).pathname;
const dsText = existsSync(dsDir) ? readdirSync(dsDir).filter((f) => /\.ya?ml$/.test(f)).map((f) => readFileSync(path.join(dsDir, f), 'utf8')).join('\n') : '';
const dsTimeInterval = /^\s*timeInterval:\s*['"]?([0-9]+[a-z]+)/m.exec(dsText)?.[1];
const now = Date.now();
const range: TimeRange = { from: now - Number(env.RANGE_DAYS ?? 3650) * 86_400_000, to: now };

const conn = await createConnection({
  host: env.SEM_DB_HOST ?? '127.0.0.1',
  port: Number(env.SEM_DB_PORT ?? 3306),
  user: env.SEM_RO_USER ?? 'sem_grafana',
  password: env.SEM_RO_PASSWORD,
  database: env.SEM_DB_NAME ?? 'sem',
  timezone: 'Z',
});
// The datasource's jsonData.timezone "+00:00": Grafana sets the session zone the same way.
await conn.query("SET time_zone = '+00:00'");

function* allPanels(panels: Panel[]): Generator<Panel> {
  for (const p of panels) {
    yield p;
    yield* allPanels(p.panels ?? []);
  }
}

async function variableValues(d: Dashboard): Promise<Record<string, VariableValue>> {
  const values: Record<string, VariableValue> = {};
  for (const v of d.templating?.list ?? []) {
    let options: string[] = [];
    if (v.type === 'query') {
      const q = typeof v.query === 'string' ? v.query : (v.query?.query ?? v.definition ?? '');
      const [rows] = await conn.query<RowDataPacket[]>(interpolateVariables(q, values, range));
      options = rows.map((r) => String(r.__value ?? Object.values(r)[0]));
    } else if (v.type === 'custom' || v.type === 'interval') {
      options = (v.options ?? []).map((o) => o.value);
    } else if (v.type === 'constant' || v.type === 'textbox') {
      options = [String(typeof v.query === 'string' ? v.query : '')];
    }
    if (options.length === 0) options = [String(v.current?.value ?? '')];
    // "All" for multi-value variables (every option), else the first option.
    values[v.name] = v.multi || v.includeAll
      ? { value: options, multi: v.multi ?? false, includeAll: v.includeAll ?? false }
      : { value: options[0]! };
  }
  return values;
}

let failures = 0;
let total = 0;
for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
  const d = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as Dashboard;
  let variables: Record<string, VariableValue>;
  try {
    variables = await variableValues(d);
  } catch (err) {
    failures++;
    console.log(`FAIL ${file}: a variable query: ${(err as Error).message}`);
    continue;
  }
  let ran = 0;
  let rows = 0;
  for (const p of allPanels(d.panels)) {
    for (const t of p.targets ?? []) {
      if (!t.rawSql || t.hide) continue;
      total++;
      const { sql } = expandQuery(t.rawSql, { range, variables, maxDataPoints: p.maxDataPoints ?? 1000, minInterval: p.interval ?? dsTimeInterval });
      try {
        const [result] = await conn.query<RowDataPacket[]>(sql);
        ran++;
        rows += Array.isArray(result) ? result.length : 0;
      } catch (err) {
        failures++;
        console.log(`FAIL ${file} / ${p.title ?? '(untitled)'}: ${(err as Error).message}`);
      }
    }
  }
  console.log(`${ran === 0 ? 'none' : 'ok  '} ${file}: ${ran} panel queries ran, ${rows} rows`);
}
await conn.end();
console.log(`${total - failures}/${total} dashboard queries ran as ${env.SEM_RO_USER ?? 'sem_grafana'}`);
process.exit(failures === 0 ? 0 : 1);
