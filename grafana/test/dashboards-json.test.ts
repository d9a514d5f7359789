import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dashboardJson, DASHBOARDS } from '../src/dashboards.ts';
import { DATASOURCE } from '../src/grafana-model.ts';

const dir = new URL('../dashboards/', import.meta.url);
const provisioning = (path: string) => readFileSync(new URL(`../provisioning/${path}`, import.meta.url), 'utf8');

describe('dashboards as code', () => {
  it('are committed exactly as the builder makes them (npx node grafana/src/build-dashboards.cli.ts)', () => {
    expect(readdirSync(dir).filter((f) => f.endsWith('.json')).sort()).toEqual(Object.keys(DASHBOARDS).sort());
    for (const [file, d] of Object.entries(DASHBOARDS)) expect(readFileSync(new URL(file, dir), 'utf8'), file).toBe(dashboardJson(d));
  });

  it('have stable uids, the classic model and a device selector', () => {
    expect(Object.values(DASHBOARDS).map((d) => d.uid)).toEqual(['sem-home', 'sem-energy', 'sem-capacity', 'sem-power-quality', 'sem-grid', 'sem-fleet', 'sem-costs']);
    for (const d of Object.values(DASHBOARDS)) {
      expect(d.schemaVersion).toBeGreaterThanOrEqual(36);
      expect(d).not.toHaveProperty('elements'); // the v2 model keeps panels in `elements`
      const device = d.templating.list.find((v) => v.name === 'device');
      expect(device, d.uid).toMatchObject({ type: 'query', datasource: DATASOURCE });
      expect(new Set(d.panels.map((p) => p.id)).size).toBe(d.panels.length);
      expect(new Set(d.panels.map((p) => p.title)).size).toBe(d.panels.length);
    }
    expect(DASHBOARDS['grid-analysis.json']!.templating.list[0]).toMatchObject({ multi: true });
    expect(DASHBOARDS['home.json']!.templating.list[0]).toMatchObject({ multi: false });
  });

  it('query the provisioned datasource in code mode', () => {
    for (const d of Object.values(DASHBOARDS)) {
      for (const p of d.panels) {
        expect(p.targets.length, p.title).toBeGreaterThan(0);
        for (const t of p.targets) {
          expect(t).toMatchObject({ datasource: DATASOURCE, rawQuery: true, editorMode: 'code' });
          expect(['time_series', 'table']).toContain(t.format);
        }
      }
    }
  });

  it('set the right units: W, kWh, kW, V, A and m³ for gas and water', () => {
    const units = (uid: string) =>
      new Map(Object.values(DASHBOARDS).find((d) => d.uid === uid)!.panels.map((p) => [p.title, p.fieldConfig.defaults['unit']]));
    const home = units('sem-home');
    expect(home.get('Power now')).toBe('watt');
    expect(home.get('Power')).toBe('watt');
    expect(home.get('Energy today by tariff')).toBe('kwatth');
    expect(home.get('Gas and water today')).toBe('m3');
    const energy = units('sem-energy');
    expect(energy.get('Gas per ${period}')).toBe('m3');
    expect(energy.get('Water per ${period}')).toBe('m3');
    expect(energy.get('Import by tariff per ${period}')).toBe('kwatth');
    const pq = units('sem-power-quality');
    expect(pq.get('Voltage per phase: average, minimum, maximum')).toBe('volt');
    expect(pq.get('Current per phase: average and maximum')).toBe('amp');
    expect(units('sem-capacity').get('15-minute average demand (BE)')).toBe('kwatt');
    const all = JSON.stringify(DASHBOARDS);
    expect(all).not.toMatch(/"m2"|m²/);
  });

  it('never show a raw register value: energy comes from the rollups of register differences', () => {
    for (const d of Object.values(DASHBOARDS)) {
      for (const p of d.panels) for (const t of p.targets) expect(t.rawSql, `${d.uid} / ${p.title}`).not.toMatch(/energy_(import|export)\w*_wh/);
    }
  });
});

describe('provisioning', () => {
  it('defines the MariaDB datasource: MySQL type, stable uid, read-only user, UTC, password from the environment', () => {
    const ds = provisioning('datasources/sem-mariadb.yaml');
    expect(ds).toMatch(/^\s+uid: sem-mariadb$/m);
    expect(ds).toMatch(/^\s+type: mysql$/m);
    expect(ds).toMatch(/^\s+timezone: '\+00:00'$/m);
    expect(ds).toMatch(/^\s+user: \$__env\{GF_SEM_DB_USER\}$/m);
    expect(ds).toMatch(/^\s+password: \$__env\{GF_SEM_DB_PASSWORD\}$/m);
    expect(ds).not.toMatch(/^\s+password: (?!\$__)/m);
    expect(DATASOURCE.uid).toBe('sem-mariadb');
  });

  it('loads the dashboards from files', () => {
    const p = provisioning('dashboards/sem-dashboards.yaml');
    expect(p).toMatch(/^\s+type: file$/m);
    expect(p).toMatch(/^\s+path: \/etc\/grafana\/dashboards$/m);
  });
});
