/** Evaluates a provisioned alert rule as Grafana would at an instant: its SQL over the rule's relative range, then the threshold on every row. */
import type { AlertRule, ThresholdEvaluator } from '../src/alerts/alert-model.ts';
import { expandQuery } from '../src/grafana-macros.ts';
import type { GrafanaRunner, Row } from './grafana-runner.ts';

export type AlertState = 'firing' | 'normal';

function fires(e: ThresholdEvaluator, v: number): boolean {
  switch (e.type) {
    case 'gt':
      return v > e.params[0];
    case 'lt':
      return v < e.params[0];
    case 'outside_range':
      return v < e.params[0] || v > e.params[1];
    case 'within_range':
      return v > e.params[0] && v < e.params[1];
  }
}

/** State per series: the row's text columns joined by '/', e.g. "be-home" or "be-home/L1". */
export async function evaluateRule(g: GrafanaRunner, rule: AlertRule, at: string): Promise<Record<string, AlertState>> {
  const [query, threshold] = rule.data;
  const to = Date.parse(at) - query.relativeTimeRange.to * 1000;
  const from = Date.parse(at) - query.relativeTimeRange.from * 1000;
  const { sql } = expandQuery(query.model.rawSql, { range: { from, to }, variables: {}, maxDataPoints: query.model.maxDataPoints, minInterval: `${query.model.intervalMs}ms` });
  const rows: Row[] = await g.runSql(sql);
  const states: Record<string, AlertState> = {};
  for (const row of rows) {
    const labels = Object.values(row).filter((v): v is string => typeof v === 'string');
    const numbers = Object.entries(row).filter(([, v]) => typeof v !== 'string');
    // Grafana turns a table into one series per row only when exactly one column is numeric.
    if (numbers.length !== 1 || typeof numbers[0]![1] !== 'number') throw new Error(`${rule.uid}: row needs one numeric value: ${JSON.stringify(row)}`);
    const key = labels.join('/');
    if (key in states) throw new Error(`${rule.uid}: two rows for ${key}`);
    states[key] = fires(threshold.model.conditions[0]!.evaluator, numbers[0]![1]) ? 'firing' : 'normal';
  }
  return states;
}
