/** Builds classic-model panels and dashboards from short specs; ids and positions follow the spec order. */
import { DATASOURCE, type Dashboard, type Panel, type QueryFormat, type Target, type Variable } from './grafana-model.ts';

export interface PanelSpec {
  title: string;
  type: 'timeseries' | 'stat' | 'table' | 'bargauge' | 'barchart';
  description?: string;
  /** One SQL per target (refId A, B, ...). */
  sql: string | string[];
  format: QueryFormat;
  unit?: string;
  decimals?: number;
  /** Bars instead of lines (time series). */
  bars?: boolean;
  stacked?: boolean;
  /** Lower limit of $__interval for this panel. */
  interval?: string;
  w?: number;
  h?: number;
  /** Per-field units, by field name. */
  fieldUnits?: Record<string, string>;
  options?: Record<string, unknown>;
  transformations?: unknown[];
  min?: number;
}

/** Time series panels ask for at most this many points: it bounds both the rows read and the chart. */
export const MAX_DATA_POINTS = 500;

function target(sql: string, i: number, format: QueryFormat): Target {
  return { refId: String.fromCharCode(65 + i), datasource: DATASOURCE, rawSql: sql, format, rawQuery: true, editorMode: 'code' };
}

function custom(spec: PanelSpec): Record<string, unknown> {
  if (spec.type !== 'timeseries') return {};
  return {
    drawStyle: spec.bars ? 'bars' : 'line',
    lineWidth: 1,
    fillOpacity: spec.bars ? 80 : 10,
    showPoints: 'never',
    spanNulls: false,
    stacking: { mode: spec.stacked ? 'normal' : 'none', group: 'A' },
  };
}

function defaultOptions(spec: PanelSpec): Record<string, unknown> {
  switch (spec.type) {
    case 'timeseries':
      return { legend: { displayMode: 'table', placement: 'bottom', calcs: spec.bars ? ['sum'] : ['mean', 'min', 'max'] }, tooltip: { mode: 'multi', sort: 'none' } };
    case 'stat':
      return { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false }, colorMode: 'value', graphMode: 'none', textMode: 'value_and_name', justifyMode: 'auto', orientation: 'auto' };
    case 'bargauge':
      return { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: true }, displayMode: 'basic', orientation: 'horizontal', showUnfilled: true };
    case 'table':
      return { showHeader: true, cellHeight: 'sm' };
    case 'barchart':
      return { orientation: 'auto', showValue: 'auto', stacking: 'none', legend: { displayMode: 'list', placement: 'bottom', calcs: [] } };
  }
}

export function buildPanels(specs: readonly PanelSpec[]): Panel[] {
  let x = 0;
  let y = 0;
  let rowH = 0;
  return specs.map((spec, i) => {
    const w = spec.w ?? 12;
    const h = spec.h ?? 8;
    if (x + w > 24) {
      x = 0;
      y += rowH;
      rowH = 0;
    }
    const gridPos = { x, y, w, h };
    x += w;
    rowH = Math.max(rowH, h);
    const sqls = Array.isArray(spec.sql) ? spec.sql : [spec.sql];
    const defaults: Record<string, unknown> = { custom: custom(spec) };
    if (spec.unit) defaults['unit'] = spec.unit;
    if (spec.decimals !== undefined) defaults['decimals'] = spec.decimals;
    if (spec.min !== undefined) defaults['min'] = spec.min;
    const overrides = Object.entries(spec.fieldUnits ?? {}).map(([name, unit]) => ({
      matcher: { id: 'byName', options: name },
      properties: [{ id: 'unit', value: unit }],
    }));
    const panel: Panel = {
      id: i + 1,
      type: spec.type,
      title: spec.title,
      gridPos,
      datasource: DATASOURCE,
      targets: sqls.map((s, k) => target(s, k, spec.format)),
      fieldConfig: { defaults, overrides },
      options: { ...defaultOptions(spec), ...(spec.options ?? {}) },
    };
    if (spec.description) panel.description = spec.description;
    if (spec.type === 'timeseries') panel.maxDataPoints = MAX_DATA_POINTS;
    if (spec.interval) panel.interval = spec.interval;
    if (spec.transformations) panel.transformations = spec.transformations;
    return panel;
  });
}

/** The device selector: a query variable over the device table (value = id, text = name). */
export function deviceVariable(multi: boolean): Variable {
  const query = 'SELECT id AS __value, name AS __text FROM device ORDER BY name';
  return {
    type: 'query',
    name: 'device',
    label: multi ? 'Devices' : 'Device',
    datasource: DATASOURCE,
    query,
    definition: query,
    refresh: 1,
    multi,
    includeAll: multi,
    sort: 0,
    current: {},
    options: [],
    hide: 0,
  };
}

export function customVariable(name: string, label: string, values: readonly string[]): Variable {
  return {
    type: 'custom',
    name,
    label,
    query: values.join(','),
    multi: false,
    includeAll: false,
    current: { text: values[0], value: values[0] },
    options: values.map((v, i) => ({ text: v, value: v, selected: i === 0 })),
    hide: 0,
  };
}

export function buildDashboard(opts: { uid: string; title: string; tags?: string[]; from?: string; variables: Variable[]; panels: readonly PanelSpec[] }): Dashboard {
  return {
    uid: opts.uid,
    title: opts.title,
    tags: ['sem', ...(opts.tags ?? [])],
    timezone: 'browser',
    schemaVersion: 39,
    version: 1,
    editable: true,
    graphTooltip: 1,
    refresh: '1m',
    time: { from: opts.from ?? 'now-24h', to: 'now' },
    templating: { list: opts.variables },
    annotations: { list: [] },
    links: [{ type: 'dashboards', tags: ['sem'], asDropdown: true, title: 'SEM dashboards', includeVars: true, keepTime: true }],
    panels: buildPanels(opts.panels),
  };
}
