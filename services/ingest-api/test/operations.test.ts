import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, addDevice, bearer, useTestApp } from './test-app.ts';

const ctx = useTestApp({ SEM_RATE_LIMIT_PER_MINUTE: '3' });

const hasPromtool = spawnSync('promtool', ['--version']).status === 0;
// The three names prom-client's default metrics use that promtool's counter lint dislikes.
const ALLOWED_LINT = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

describe('health', () => {
  it('answers /healthz and /readyz', async () => {
    expect((await ctx.app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    expect((await ctx.app.inject({ method: 'GET', url: '/readyz' })).json()).toEqual({ status: 'ok' });
  });
});

describe('rate limit', () => {
  it('answers 429 with Retry-After per device, and other devices still pass', async () => {
    const a = await addDevice(ctx.t);
    const b = await addDevice(ctx.t);
    const codes: number[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await ctx.app.inject({ method: 'GET', url: '/api/v1/device', headers: bearer(a.key) });
      codes.push(res.statusCode);
      if (res.statusCode === 429) {
        expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
        expect(res.json().error.code).toBe('rate_limited');
      }
    }
    expect(codes).toEqual([200, 200, 200, 429]);
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/device', headers: bearer(b.key) })).statusCode).toBe(200);
  });
});

describe('/metrics', () => {
  it('counts rejects by reason', async () => {
    await ctx.app.inject({ method: 'POST', url: '/api/v1/readings', payload: { powerImportW: 1 } });
    const text = (await ctx.app.inject({ method: 'GET', url: '/metrics', headers: bearer(ADMIN_TOKEN) })).body;
    expect(text).toMatch(/sem_http_rejects_total\{reason="unauthorized",route="\/api\/v1\/readings"\} [1-9]/);
    expect(text).toContain('sem_write_transactions_total');
  });

  it.skipIf(!hasPromtool)('passes promtool check metrics (bar the three nodejs_active_*_total names)', async () => {
    const d = await addDevice(ctx.t, { name: 'lint' });
    await ctx.app.inject({ method: 'POST', url: '/api/v1/readings', headers: bearer(d.key), payload: { powerImportW: 1 } });
    const text = (await ctx.app.inject({ method: 'GET', url: '/metrics', headers: bearer(ADMIN_TOKEN) })).body;
    const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    const findings = `${r.stdout}${r.stderr}`.split('\n').filter((l) => l.trim() !== '');
    const unexpected = findings.filter((l) => !ALLOWED_LINT.some((n) => l.startsWith(n)));
    expect(unexpected).toEqual([]);
    expect([0, 3]).toContain(r.status);
  });
});

describe('OpenAPI', () => {
  it('documents every route with its schemas at /docs/json', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/docs/json', headers: bearer(ADMIN_TOKEN) });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\./);
    const expected: [string, string][] = [
      ['/api/v1/readings', 'post'],
      ['/api/v1/readings', 'get'],
      ['/api/v1/telegrams', 'post'],
      ['/api/v1/frames', 'post'],
      ['/post-data.php', 'post'],
      ['/api/v1/datalogger/dsmrreading', 'post'],
      ['/api/v1/device', 'get'],
      ['/api/v1/admin/devices', 'post'],
      ['/api/v1/admin/devices', 'get'],
      ['/api/v1/admin/devices/{id}', 'get'],
      ['/api/v1/admin/devices/{id}', 'patch'],
      ['/api/v1/admin/devices/{id}', 'delete'],
      ['/api/v1/admin/devices/{id}/keys', 'post'],
      ['/api/v1/admin/devices/{id}/revoke', 'post'],
      ['/api/v1/admin/devices/{id}/tariffs', 'get'],
      ['/api/v1/admin/devices/{id}/tariffs/{validFrom}', 'put'],
      ['/api/v1/admin/devices/{id}/tariffs/{validFrom}', 'delete'],
      ['/api/v1/admin/prices/{series}', 'post'],
      ['/api/v1/admin/prices/{series}', 'get'],
      ['/healthz', 'get'],
      ['/readyz', 'get'],
      ['/metrics', 'get'],
    ];
    for (const [path, method] of expected) {
      const op = doc.paths[path]?.[method];
      expect(op, `${method} ${path}`).toBeDefined();
      expect(Object.keys(op.responses).length, `${method} ${path} responses`).toBeGreaterThan(0);
      if (method === 'post' && !path.startsWith('/api/v1/admin/devices/')) expect(op.requestBody, `${method} ${path} body`).toBeDefined();
    }
    // nothing undocumented: every operation served is in the list, with a schema for each of its answers
    const documented = Object.entries<Record<string, any>>(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`));
    expect(documented.sort()).toEqual(expected.map(([path, method]) => `${method} ${path}`).sort());
    for (const [path, ops] of Object.entries<Record<string, any>>(doc.paths)) {
      for (const [method, op] of Object.entries<any>(ops)) {
        const statuses = Object.keys(op.responses);
        expect(statuses.some((s) => s.startsWith('2')), `${method} ${path} success`).toBe(true);
        for (const status of statuses.filter((s) => s !== '204')) {
          const given = Object.values<any>(op.responses[status].content ?? {})[0]?.schema;
          const schema = given?.$ref ? doc.components.schemas[given.$ref.split('/').pop()] : given;
          expect(schema, `${method} ${path} ${status} schema`).toBeDefined();
          if (!status.startsWith('2')) expect(schema.required, `${method} ${path} ${status} is the error shape`).toEqual(['error']);
        }
      }
    }
    // telegrams also take bytes: an encrypted P1 frame (Luxembourg Smarty) is binary
    expect(Object.keys(doc.paths['/api/v1/telegrams'].post.requestBody.content).sort()).toEqual(['application/octet-stream', 'text/plain']);
    expect(Object.keys(doc.paths['/api/v1/frames'].post.requestBody.content).sort()).toEqual(['application/octet-stream', 'text/plain']);
  });
});
