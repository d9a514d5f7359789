/** Writes grafana/dashboards/*.json from the TypeScript definitions: `npx node grafana/src/build-dashboards.cli.ts`. */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dashboardJson, DASHBOARDS } from './dashboards.ts';

const dir = fileURLToPath(new URL('../dashboards/', import.meta.url));
for (const [file, d] of Object.entries(DASHBOARDS)) {
  writeFileSync(dir + file, dashboardJson(d));
  console.log(`wrote grafana/dashboards/${file} (${d.panels.length} panels)`);
}
