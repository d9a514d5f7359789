/** The slice of Grafana's alerting file-provisioning format (apiVersion 1) these files use. */
import { DATASOURCE } from '../grafana-model.ts';

export type ThresholdEvaluator = { type: 'gt' | 'lt'; params: [number] } | { type: 'outside_range' | 'within_range'; params: [number, number] };

export interface SqlQuery {
  refId: 'A';
  relativeTimeRange: { from: number; to: number };
  datasourceUid: typeof DATASOURCE.uid;
  model: { refId: 'A'; datasource: typeof DATASOURCE; rawSql: string; format: 'table'; rawQuery: true; editorMode: 'code'; intervalMs: number; maxDataPoints: number };
}

export interface ThresholdExpression {
  refId: 'C';
  relativeTimeRange: { from: 0; to: 0 };
  datasourceUid: '__expr__';
  model: {
    refId: 'C';
    type: 'threshold';
    expression: 'A';
    datasource: { type: '__expr__'; uid: '__expr__' };
    conditions: { type: 'query'; evaluator: ThresholdEvaluator; operator: { type: 'and' }; query: { params: ['C'] }; reducer: { type: 'last'; params: [] } }[];
  };
}

export interface AlertRule {
  uid: string;
  title: string;
  condition: 'C';
  data: [SqlQuery, ThresholdExpression];
  noDataState: 'OK' | 'NoData' | 'Alerting';
  execErrState: 'Error' | 'Alerting' | 'OK';
  for: string;
  annotations: { summary: string; description: string };
  labels: Record<string, string>;
  isPaused: false;
}

export interface AlertRuleFile {
  apiVersion: 1;
  groups: { orgId: 1; name: string; folder: string; interval: string; rules: AlertRule[] }[];
}

/** A rule from its SQL (one numeric column; string columns become labels) and a threshold on each row. */
export function sqlRule(spec: {
  uid: string;
  title: string;
  sql: string;
  /** The query's time range: the last `seconds` before the evaluation. */
  seconds: number;
  evaluator: ThresholdEvaluator;
  for?: string;
  summary: string;
  description: string;
}): AlertRule {
  return {
    uid: spec.uid,
    title: spec.title,
    condition: 'C',
    data: [
      {
        refId: 'A',
        relativeTimeRange: { from: spec.seconds, to: 0 },
        datasourceUid: DATASOURCE.uid,
        model: { refId: 'A', datasource: DATASOURCE, rawSql: spec.sql, format: 'table', rawQuery: true, editorMode: 'code', intervalMs: 60_000, maxDataPoints: 43_200 },
      },
      {
        refId: 'C',
        relativeTimeRange: { from: 0, to: 0 },
        datasourceUid: '__expr__',
        model: {
          refId: 'C',
          type: 'threshold',
          expression: 'A',
          datasource: { type: '__expr__', uid: '__expr__' },
          conditions: [{ type: 'query', evaluator: spec.evaluator, operator: { type: 'and' }, query: { params: ['C'] }, reducer: { type: 'last', params: [] } }],
        },
      },
    ],
    noDataState: 'OK',
    execErrState: 'Error',
    for: spec.for ?? '0s',
    annotations: { summary: spec.summary, description: spec.description },
    labels: { sem: 'household' },
    isPaused: false,
  };
}
