/** Runs a dashboard panel's queries as Grafana would: the three expansion passes, then MariaDB as the read-only user. */
import { readFileSync } from 'node:fs';
import type { Connection } from 'mysql2/promise';
import { expandQuery, type TimeRange, type VariableValue } from '../src/grafana-macros.ts';
import type { Dashboard, Panel, Target } from '../src/grafana-model.ts';

/** jsonData.timeInterval of the provisioned datasource: the lower limit of $__interval. */
export function datasourceTimeInterval(): string {
  const yaml = readFileSync(new URL('../provisioning/datasources/sem-mariadb.yaml', import.meta.url), 'utf8');
  const m = /^\s*timeInterval:\s*['"]?([0-9]+[a-z]+)['"]?\s*$/m.exec(yaml);
  if (!m) throw new Error('datasource has no timeInterval');
  return m[1]!;
}

export type Row = Record<string, unknown>;

export interface PanelResult {
  sql: string;
  intervalMs: number;
  rows: Row[];
}

/** Grafana's rules for a time_series frame: a time column, ascending, numeric values, optional string metric. */
export function checkFrame(target: Target, rows: readonly Row[]): void {
  if (target.format !== 'time_series' || rows.length === 0) return;
  const cols = Object.keys(rows[0]!);
  const timeCol = cols.find((c) => c === 'time' || c === 'time_sec');
  if (!timeCol) throw new Error(`${target.refId}: time series without a time column (${cols.join(', ')})`);
  let prev = -Infinity;
  for (const r of rows) {
    const t = toMs(r[timeCol]);
    if (t < prev) throw new Error(`${target.refId}: rows not sorted by time`);
    prev = t;
    for (const c of cols) {
      if (c === timeCol) continue;
      const v = r[c];
      if (c === 'metric') {
        if (typeof v !== 'string') throw new Error(`${target.refId}: metric must be text`);
      } else if (v !== null && typeof v !== 'number') throw new Error(`${target.refId}: column ${c} is not numeric (${typeof v})`);
    }
  }
}

export function toMs(v: unknown): number {
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'number') return v * 1000;
  throw new Error(`not a time: ${String(v)}`);
}

export class GrafanaRunner {
  readonly covered = new Set<string>();
  private readonly conn: Connection;
  private readonly timeInterval: string;

  constructor(conn: Connection) {
    this.conn = conn;
    this.timeInterval = datasourceTimeInterval();
  }

  panel(d: Dashboard, title: string): Panel {
    const p = d.panels.find((x) => x.title === title);
    if (!p) throw new Error(`${d.uid} has no panel "${title}"`);
    return p;
  }

  /** Expands and runs one target of a panel; records it as covered. */
  async run(d: Dashboard, title: string, range: { from: string; to: string }, variables: Record<string, VariableValue>, refId = 'A'): Promise<PanelResult> {
    const panel = this.panel(d, title);
    const target = panel.targets.find((t) => t.refId === refId);
    if (!target) throw new Error(`${title} has no target ${refId}`);
    const r: TimeRange = { from: Date.parse(range.from), to: Date.parse(range.to) };
    const { sql, intervalMs } = expandQuery(target.rawSql, {
      range: r,
      variables,
      maxDataPoints: panel.maxDataPoints ?? 1000,
      minInterval: panel.interval ?? this.timeInterval,
    });
    const [rows] = await this.conn.query(sql);
    checkFrame(target, rows as Row[]);
    this.covered.add(`${d.uid}#${panel.id}#${refId}`);
    return { sql, intervalMs, rows: rows as Row[] };
  }

  async runSql(sql: string): Promise<Row[]> {
    const [rows] = await this.conn.query(sql);
    return rows as Row[];
  }
}
