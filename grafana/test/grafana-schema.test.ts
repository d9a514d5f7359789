/**
 * The dashboards are typed against Grafana's published dashboard schema (@grafana/schema). The
 * proof is the typecheck (`npm run typecheck`): each `@ts-expect-error` below must stay an error,
 * or tsc fails with "Unused '@ts-expect-error' directive".
 */
import type { Options as TimeSeriesOptions } from '@grafana/schema/dist/esm/raw/composable/timeseries/panelcfg/x/TimeSeriesPanelCfg_types.gen';
import { describe, expect, it } from 'vitest';
import { DASHBOARDS } from '../src/dashboards.ts';
import { ONLY_GRAFANA_FIELDS, type Dashboard, type Panel, type Variable } from '../src/grafana-model.ts';

// @ts-expect-error `definition` is not a field of Grafana's VariableModel
const variable: Variable = { type: 'query', name: 'device', label: 'Device', definition: 'SELECT 1' };
// @ts-expect-error a misspelt panel field
const panel: Partial<Panel> = { titel: 'Power' };
// @ts-expect-error a dashboard field Grafana does not have
const dashboard: Partial<Dashboard> = { refreshInterval: '1m' };
// @ts-expect-error a time series option Grafana does not have
const options: Partial<TimeSeriesOptions> = { toolTip: {} };
// @ts-expect-error a variable type Grafana does not have
const kind: Variable = { type: 'sql', name: 'x', label: 'x' };

describe('dashboards typed against @grafana/schema', () => {
  it('compile only with fields Grafana knows (see the @ts-expect-error lines)', () => {
    expect(ONLY_GRAFANA_FIELDS).toBe(true);
    expect([variable, panel, dashboard, options, kind]).toHaveLength(5);
    for (const d of Object.values(DASHBOARDS)) expect(d.templating.list.every((v) => !('definition' in v))).toBe(true);
  });
});
