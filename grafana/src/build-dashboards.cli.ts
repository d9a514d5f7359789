/** Writes grafana/dashboards/*.json and grafana/provisioning/alerting/*.json from the TypeScript definitions: `npx node grafana/src/build-dashboards.cli.ts`. */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ALERTING_FILES } from './alerts/alerting-files.ts';
import { dashboardJson, DASHBOARDS } from './dashboards.ts';

const dir = fileURLToPath(new URL('../dashboards/', import.meta.url));
for (const [file, d] of Object.entries(DASHBOARDS)) {
  writeFileSync(dir + file, dashboardJson(d));
  console.log(`wrote grafana/dashboards/${file} (${d.panels.length} panels)`);
}
const alerting = fileURLToPath(new URL('../provisioning/alerting/', import.meta.url));
for (const [file, content] of Object.entries(ALERTING_FILES)) {
  writeFileSync(alerting + file, `${JSON.stringify(content, null, 2)}\n`);
  console.log(`wrote grafana/provisioning/alerting/${file}`);
}
