/** The slice of Grafana's classic dashboard JSON model these dashboards use (schemaVersion 39, not v2). */

export const DATASOURCE = { type: 'mysql', uid: 'sem-mariadb' } as const;

export type QueryFormat = 'time_series' | 'table';

export interface Target {
  refId: string;
  datasource: typeof DATASOURCE;
  rawSql: string;
  format: QueryFormat;
  rawQuery: true;
  editorMode: 'code';
}

export interface GridPos {
  h: number;
  w: number;
  x: number;
  y: number;
}

export interface Panel {
  id: number;
  type: string;
  title: string;
  description?: string;
  gridPos: GridPos;
  datasource: typeof DATASOURCE;
  targets: Target[];
  fieldConfig: { defaults: Record<string, unknown>; overrides: unknown[] };
  options: Record<string, unknown>;
  interval?: string;
  maxDataPoints?: number;
  transformations?: unknown[];
}

export interface Variable {
  type: 'query' | 'custom';
  name: string;
  label: string;
  [key: string]: unknown;
}

export interface Dashboard {
  uid: string;
  title: string;
  tags: string[];
  timezone: 'browser';
  schemaVersion: number;
  version: number;
  editable: boolean;
  graphTooltip: number;
  refresh: string;
  time: { from: string; to: string };
  templating: { list: Variable[] };
  annotations: { list: unknown[] };
  links: unknown[];
  panels: Panel[];
}
