/**
 * Every refusal, including the ones Fastify raises itself (404, 413, 415, unreadable JSON), has the one
 * error shape and is counted in /metrics by its reason.
 */
import type { InjectOptions } from 'fastify';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../src/errors/api-error.ts';
import { ADMIN_TOKEN, addDevice, bearer, useTestApp } from './test-app.ts';

const ctx = useTestApp({ SEM_BODY_LIMIT_BYTES: '2048', SEM_RATE_LIMIT_PER_MINUTE: '30' });

async function counter(name: string, labels: string): Promise<number> {
  const text = (await ctx.app.inject({ method: 'GET', url: '/metrics', headers: bearer(ADMIN_TOKEN) })).body;
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
  return line === undefined ? 0 : Number(line.split(' ').pop());
}

/** The body is exactly { error: { code, message, details? } } with a code from the closed set. */
function expectErrorShape(body: string): { code: string; message: string; details?: Record<string, unknown> } {
  const json = JSON.parse(body);
  expect(Object.keys(json)).toEqual(['error']);
  expect(Object.keys(json.error).every((k) => ['code', 'message', 'details'].includes(k))).toBe(true);
  expect(ERROR_CODES).toContain(json.error.code);
  expect(typeof json.error.message).toBe('string');
  expect(json.error.message.length).toBeGreaterThan(0);
  return json.error;
}

describe('error shape and reject metrics', () => {
  it('gives every refusal the one shape and counts it by reason and route', async () => {
    const d = await addDevice(ctx.t);
    const json = { ...bearer(d.key), 'content-type': 'application/json' };
    const cases: [string, InjectOptions, number, string, string, Record<string, unknown>?][] = [
      ['unknown route', { method: 'GET', url: '/nope' }, 404, 'not_found', 'unknown'],
      ['unknown method', { method: 'DELETE', url: '/api/v1/readings', headers: bearer(d.key) }, 404, 'not_found', 'unknown'],
      ['unreadable JSON', { method: 'POST', url: '/api/v1/readings', headers: json, payload: '{"powerImportW":' }, 400, 'bad_request', '/api/v1/readings', { path: 'body' }],
      ['empty JSON', { method: 'POST', url: '/api/v1/readings', headers: json, payload: '' }, 400, 'bad_request', '/api/v1/readings', { path: 'body' }],
      ['bad field', { method: 'POST', url: '/api/v1/readings', headers: json, payload: '{"voltageL2V":"x"}' }, 400, 'bad_request', '/api/v1/readings', { path: 'body/0/voltageL2V' }],
      ['no key', { method: 'POST', url: '/api/v1/telegrams', headers: { 'content-type': 'text/plain' }, payload: '/x' }, 401, 'unauthorized', '/api/v1/telegrams'],
      ['over the limit', { method: 'POST', url: '/api/v1/frames', headers: { ...bearer(d.key), 'content-type': 'application/octet-stream' }, payload: Buffer.alloc(4096) }, 413, 'payload_too_large', '/api/v1/frames'],
      ['wrong type', { method: 'POST', url: '/post-data.php', headers: json, payload: '{}' }, 415, 'unsupported_media_type', '/post-data.php'],
      ['bad CRC', { method: 'POST', url: '/api/v1/telegrams', headers: { ...bearer(d.key), 'content-type': 'text/plain' }, payload: '/ABC5\r\n\r\n1-0:1.8.1(000001.000*kWh)\r\n!0000\r\n' }, 422, 'checksum_mismatch', '/api/v1/telegrams', { declared: '0000' }],
      ['clock ahead', { method: 'POST', url: '/api/v1/readings', headers: json, payload: JSON.stringify({ time: Date.now() + 2 * 86_400_000, powerImportW: 1 }) }, 422, 'reading_rejected', '/api/v1/readings'],
    ];
    for (const [what, request, status, code, route, details] of cases) {
      const before = await counter('sem_http_rejects_total', `reason="${code}",route="${route}"`);
      const res = await ctx.app.inject(request);
      expect(res.statusCode, `${what}: ${res.body}`).toBe(status);
      expect(res.headers['content-type'], what).toMatch(/^application\/json/);
      const error = expectErrorShape(res.body);
      expect(error.code, what).toBe(code);
      if (details) expect(error.details, what).toMatchObject(details);
      expect(await counter('sem_http_rejects_total', `reason="${code}",route="${route}"`), what).toBe(before + 1);
    }
    expect(await counter('sem_reading_rejects_total', 'reason="future_time"')).toBe(1);
  });

  it('gives 422 for a checksum the declared and computed values', async () => {
    const d = await addDevice(ctx.t);
    const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/telegrams', headers: { ...bearer(d.key), 'content-type': 'text/plain' }, payload: '/ABC5\r\n\r\n1-0:1.8.1(000001.000*kWh)\r\n!0000\r\n' });
    const error = expectErrorShape(res.body);
    expect(error.details).toEqual({ declared: '0000', computed: expect.stringMatching(/^[0-9A-F]{4}$/), offset: expect.any(Number) });
    expect(error.details!.computed).not.toBe('0000');
  });

  it('counts 429 by reason and keeps the shape', async () => {
    const d = await addDevice(ctx.t);
    const before = await counter('sem_http_rejects_total', 'reason="rate_limited",route="/api/v1/device"');
    let limited;
    for (let i = 0; i < 40 && !limited; i++) {
      const res = await ctx.app.inject({ method: 'GET', url: '/api/v1/device', headers: bearer(d.key) });
      if (res.statusCode === 429) limited = res;
    }
    expect(limited).toBeDefined();
    expect(expectErrorShape(limited!.body).code).toBe('rate_limited');
    expect(Number(limited!.headers['retry-after'])).toBeGreaterThan(0);
    expect(await counter('sem_http_rejects_total', 'reason="rate_limited",route="/api/v1/device"')).toBe(before + 1);
  });
});
