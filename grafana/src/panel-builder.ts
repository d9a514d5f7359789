/** Builds classic-model panels and dashboards from short specs; ids and positions follow the spec order. */
import {
  BarGaugeDisplayMode,
  BigValueColorMode,
  BigValueGraphMode,
  BigValueJustifyMode,
  BigValueTextMode,
  GraphDrawStyle,
  LegendDisplayMode,
  SortOrder,
  StackingMode,
  TableCellHeight,
  TooltipDisplayMode,
  VisibilityMode,
  VizOrientation,
  type DataTransformerConfig,
} from '@grafana/schema';
import type { Options as BarChartOptions } from '@grafana/schema/dist/esm/raw/composable/barchart/panelcfg/x/BarChartPanelCfg_types.gen';
import type { Options as BarGaugeOptions } from '@grafana/schema/dist/esm/raw/composable/bargauge/panelcfg/x/BarGaugePanelCfg_types.gen';
import type { Options as StatOptions } from '@grafana/schema/dist/esm/raw/composable/stat/panelcfg/x/StatPanelCfg_types.gen';
import type { Options as TableOptions } from '@grafana/schema/dist/esm/raw/composable/table/panelcfg/x/TablePanelCfg_types.gen';
import type { FieldConfig as TimeSeriesFieldConfig, Options as TimeSeriesOptions } from '@grafana/schema/dist/esm/raw/composable/timeseries/panelcfg/x/TimeSeriesPanelCfg_types.gen';
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
  transformations?: DataTransformerConfig[];
  min?: number;
}

/** Time series panels ask for at most this many points: it bounds both the rows read and the chart. */
export const MAX_DATA_POINTS = 500;

function target(sql: string, i: number, format: QueryFormat): Target {
  return { refId: String.fromCharCode(65 + i), datasource: DATASOURCE, rawSql: sql, format, rawQuery: true, editorMode: 'code' };
}

/** The time series' field config (the other panel types keep Grafana's defaults). */
function custom(spec: PanelSpec): Partial<TimeSeriesFieldConfig> {
  if (spec.type !== 'timeseries') return {};
  return {
    drawStyle: spec.bars ? GraphDrawStyle.Bars : GraphDrawStyle.Line,
    lineWidth: 1,
    fillOpacity: spec.bars ? 80 : 10,
    showPoints: VisibilityMode.Never,
    spanNulls: false,
    stacking: { mode: spec.stacked ? StackingMode.Normal : StackingMode.None, group: 'A' },
  };
}

/** Each panel type's options, typed by Grafana's panel-config schema for that type (partial: Grafana fills the rest). */
function defaultOptions(spec: PanelSpec): Record<string, unknown> {
  const lastValue = (values: boolean) => ({ calcs: ['lastNotNull'], fields: '', values });
  switch (spec.type) {
    case 'timeseries':
      return {
        legend: { displayMode: LegendDisplayMode.Table, placement: 'bottom', showLegend: true, calcs: spec.bars ? ['sum'] : ['mean', 'min', 'max'] },
        tooltip: { mode: TooltipDisplayMode.Multi, sort: SortOrder.None },
      } satisfies Partial<TimeSeriesOptions>;
    case 'stat':
      return {
        reduceOptions: lastValue(false),
        colorMode: BigValueColorMode.Value,
        graphMode: BigValueGraphMode.None,
        textMode: BigValueTextMode.ValueAndName,
        justifyMode: BigValueJustifyMode.Auto,
        orientation: VizOrientation.Auto,
      } satisfies Partial<StatOptions>;
    case 'bargauge':
      return { reduceOptions: lastValue(true), displayMode: BarGaugeDisplayMode.Basic, orientation: VizOrientation.Horizontal, showUnfilled: true } satisfies Partial<BarGaugeOptions>;
    case 'table':
      return { showHeader: true, cellHeight: TableCellHeight.Sm } satisfies Partial<TableOptions>;
    case 'barchart':
      return {
        orientation: VizOrientation.Auto,
        showValue: VisibilityMode.Auto,
        stacking: StackingMode.None,
        legend: { displayMode: LegendDisplayMode.List, placement: 'bottom', showLegend: true, calcs: [] },
      } satisfies Partial<BarChartOptions>;
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
    const defaults: Panel['fieldConfig']['defaults'] = { custom: custom(spec) };
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
    refresh: 1,
    multi,
    includeAll: multi,
    sort: 0,
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
    current: { text: values[0]!, value: values[0]! },
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
    links: [{ type: 'dashboards', tags: ['sem'], asDropdown: true, title: 'SEM dashboards', includeVars: true, keepTime: true, icon: 'external link', targetBlank: false, tooltip: '' }],
    panels: buildPanels(opts.panels),
  };
}
