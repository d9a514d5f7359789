/**
 * Every provisioned alert rule's query, expanded as Grafana expands it over the rule's time range
 * and run as the read-only user against the dashboard seed plus be-alerts (seed/cost-seed.ts); the
 * threshold gives each device's state, firing or normal, at chosen instants.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALERTING_FILES } from '../src/alerts/alerting-files.ts';
import { ALERT_RULES } from '../src/alerts/alert-rules.ts';
import { ALERT_ENV, CONTACT_POINT_NAME, CONTACT_POINTS, NOTIFICATION_POLICIES } from '../src/alerts/contact-point.ts';
import { DATASOURCE } from '../src/grafana-model.ts';
import { evaluateRule } from './alert-runner.ts';
import { openGrafanaDatabase, type GrafanaDatabase } from './grafana-database.ts';
import { seedCosts } from './seed/cost-seed.ts';
import { seedDashboards } from './seed/dashboard-seed.ts';

let db: GrafanaDatabase;
beforeAll(async () => {
  db = await openGrafanaDatabase('grafana_alerts', async (k) => {
    await seedDashboards(k);
    await seedCosts(k);
  });
}, 180_000);
afterAll(async () => db?.close());

const rule = (uid: string) => ALERT_RULES.groups[0]!.rules.find((r) => r.uid === uid)!;
const states = (uid: string, at: string) => evaluateRule(db.g, rule(uid), at);

describe('alert rules against the seed', () => {
  it('device silent: fires for devices whose newest reading is older than 10 minutes', async () => {
    expect(await states('sem-device-silent', '2026-10-28T12:00:00Z')).toEqual({
      'be-home': 'normal', // its last reading is at 12:00
      'be-neighbour': 'firing', // 27 Oct 22:30
      'no-cabin': 'firing', // 10:00
      'be-costs': 'firing',
      'be-dynamic': 'firing',
      'no-costs': 'firing',
      'be-alerts': 'firing', // 11:30: 30 minutes
    });
    expect((await states('sem-device-silent', '2026-10-28T11:35:00Z'))['be-alerts']).toBe('normal'); // 5 minutes
    expect((await states('sem-device-silent', '2026-10-28T11:40:01Z'))['be-alerts']).toBe('firing'); // 10 min 1 s
  });

  it('power failure: fires while the counter rose in the last 10 minutes', async () => {
    // be-home's counter goes 7 -> 8 at 11:20:00, be-alerts' 1 -> 2 at 11:25.
    const at1125 = await states('sem-power-failure', '2026-10-28T11:25:00Z');
    expect(at1125).toMatchObject({ 'be-home': 'firing', 'be-alerts': 'firing', 'be-neighbour': 'normal', 'no-cabin': 'normal' });
    const at1130 = await states('sem-power-failure', '2026-10-28T11:30:00Z');
    expect(at1130).toMatchObject({ 'be-home': 'normal', 'be-alerts': 'firing' });
    const at1200 = await states('sem-power-failure', '2026-10-28T12:00:00Z');
    expect(Object.values(at1200).every((s) => s === 'normal')).toBe(true);
  });

  it("quarter-hour peak: fires when the running 15-minute demand nears this month's billed peak (BE)", async () => {
    // be-alerts: 3 kW of power over a month peak of 1.5 kW, billed at 2.5 kW: 1.2 > 0.9.
    // be-home: 3.6 kW over October's 6.0 kW peak: 0.6. Devices without power in the window give no series.
    expect(await states('sem-quarter-peak-near', '2026-10-28T11:30:00Z')).toEqual({ 'be-home': 'normal', 'be-alerts': 'firing' });
    expect(await states('sem-quarter-peak-near', '2026-10-28T12:00:00Z')).toEqual({ 'be-home': 'normal' });
  });

  it('voltage: fires for a phase whose 10-minute mean is outside 207-253 V', async () => {
    expect(await states('sem-voltage-en50160', '2026-10-28T11:30:00Z')).toEqual({
      'be-home/L1': 'normal', // 229 and 231 V in turn
      'be-home/L2': 'normal',
      'be-home/L3': 'normal',
      'be-alerts/L1': 'firing', // 205 V
      'be-alerts/L2': 'normal',
      'be-alerts/L3': 'normal',
    });
  });

  it('covers every provisioned rule', () => {
    expect(ALERT_RULES.groups[0]!.rules.map((r) => r.uid)).toEqual(['sem-device-silent', 'sem-power-failure', 'sem-quarter-peak-near', 'sem-voltage-en50160']);
  });
});

describe('alerting provisioning files', () => {
  const file = (name: string) => readFileSync(new URL(`../provisioning/alerting/${name}`, import.meta.url), 'utf8');

  it('are committed exactly as built (npx node grafana/src/build-dashboards.cli.ts)', () => {
    for (const [name, content] of Object.entries(ALERTING_FILES)) expect(file(name), name).toBe(`${JSON.stringify(content, null, 2)}\n`);
  });

  it('query the provisioned datasource and send every alert to the contact point from the environment', () => {
    for (const r of ALERT_RULES.groups[0]!.rules) {
      expect(r.data[0]).toMatchObject({ datasourceUid: DATASOURCE.uid, model: { format: 'table', rawQuery: true } });
      expect(r.condition).toBe('C');
    }
    const receiver = CONTACT_POINTS.contactPoints[0].receivers[0];
    expect(receiver.type).toBe(`\${${ALERT_ENV.type}}`);
    expect(Object.values(receiver.settings)).toEqual([`\${${ALERT_ENV.webhookUrl}}`, `\${${ALERT_ENV.email}}`]);
    expect(NOTIFICATION_POLICIES.policies[0].receiver).toBe(CONTACT_POINT_NAME);
  });
});
