import type { Dashboard } from './grafana-model.ts';
import { capacity } from './dashboards/capacity.dashboard.ts';
import { costs } from './dashboards/costs.dashboard.ts';
import { energy } from './dashboards/energy.dashboard.ts';
import { fleet } from './dashboards/fleet.dashboard.ts';
import { grid } from './dashboards/grid.dashboard.ts';
import { home } from './dashboards/home.dashboard.ts';
import { powerQuality } from './dashboards/power-quality.dashboard.ts';

/** Every dashboard, keyed by the file name it is written to in grafana/dashboards. */
export const DASHBOARDS: Readonly<Record<string, Dashboard>> = {
  'home.json': home,
  'energy.json': energy,
  'capacity.json': capacity,
  'power-quality.json': powerQuality,
  'grid-analysis.json': grid,
  'fleet-health.json': fleet,
  'costs.json': costs,
};

export function dashboardJson(d: Dashboard): string {
  return `${JSON.stringify(d, null, 2)}\n`;
}
