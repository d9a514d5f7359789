/**
 * The dashboards' model: Grafana's own published dashboard schema (@grafana/schema, classic JSON model,
 * not v2), with the fields these dashboards always set made required. An object literal with a field
 * Grafana's schema does not define fails the typecheck; so does a field added to these interfaces.
 */
import type {
  DashboardLink,
  DataQuery,
  DataSourceRef,
  FieldConfigSource,
  GridPos,
  Dashboard as GrafanaDashboard,
  Panel as GrafanaPanel,
  VariableModel,
} from '@grafana/schema';

export const DATASOURCE = { type: 'mysql', uid: 'sem-mariadb' } as const satisfies DataSourceRef;

export type QueryFormat = 'time_series' | 'table';

/**
 * A MySQL datasource query in code mode: Grafana's DataQuery plus the SQL datasource's own fields
 * (rawSql, format, rawQuery, editorMode), which @grafana/schema does not publish.
 */
export interface Target extends DataQuery {
  refId: string;
  datasource: typeof DATASOURCE;
  rawSql: string;
  format: QueryFormat;
  rawQuery: true;
  editorMode: 'code';
}

/** Grafana's panel; its `targets` are typed as the MySQL query above (Grafana's schema leaves them open). */
export interface Panel extends Omit<GrafanaPanel, 'targets'> {
  id: number;
  type: string;
  title: string;
  gridPos: GridPos;
  datasource: typeof DATASOURCE;
  targets: Target[];
  fieldConfig: FieldConfigSource;
  options: Record<string, unknown>;
}

export interface Variable extends VariableModel {
  label: string;
}

export interface Dashboard extends Omit<GrafanaDashboard, 'panels' | 'templating'> {
  uid: string;
  title: string;
  tags: string[];
  timezone: 'browser';
  schemaVersion: number;
  time: { from: string; to: string };
  templating: { list: Variable[] };
  links: DashboardLink[];
  panels: Panel[];
}

/** Keys of T that Grafana's type G does not define. */
type UnknownFields<T, G> = Exclude<keyof T, keyof G>;
// Fails to compile when one of the interfaces above gains a field Grafana's schema does not know.
export const ONLY_GRAFANA_FIELDS: [UnknownFields<Panel, GrafanaPanel>, UnknownFields<Dashboard, GrafanaDashboard>, UnknownFields<Variable, VariableModel>] extends [never, never, never]
  ? true
  : never = true;
