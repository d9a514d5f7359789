// The dashboards as code, and Grafana's macro expansion as the smoke run replays it.
export { dashboardJson, DASHBOARDS } from './dashboards.ts';
export { expandQuery, interpolateVariables, type TimeRange, type VariableValue } from './grafana-macros.ts';
