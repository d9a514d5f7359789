import { describe, expect, it } from 'vitest';
import { decodeTelegram } from '@sem/meter-protocol';
import { backoffDelayMs, parseRetryAfterMs, retryDelayMs } from '../src/net/backoff.ts';
import { classifyResponse } from '../src/net/post-outcome.ts';
import { quotePlus } from '../src/post/form-encoding.ts';
import { buildRequest, idempotencyKey } from '../src/post/request-builder.ts';
import { semFormFields } from '../src/post/sem-form.ts';
import { withLineEnd } from '../src/post/unit-to-item.ts';
import { loadCaptures } from '../src/sources/capture-files.ts';
import { percentile } from '../src/stats/run-stats.ts';
import { p1Fixture } from './fixtures.ts';

const telegram = (name: string) => {
  const u = loadCaptures(p1Fixture(name)).units[0]!;
  if (u.protocol !== 'p1') throw new Error('P1 expected');
  return u.telegram;
};

describe('SEM firmware form', () => {
  it('prints every field with the firmware formats, -1 for absent, Pcl = 1.8.2 and Ppl = 2.8.1', () => {
    const t = telegram('dp_fluvius_v171');
    const body = buildRequest('sem', [{ body: semFormFields(decodeTelegram(t)), at: 0 }], { key: 'abc123', dsmrHeader: 'x-authkey' }).body;
    expect(body).toBe(
      'api_key=abc123&UL1=234.7&UL2=234.7&UL3=234.7&IL1=0.0&IL2=0.0&IL3=0.0' +
        '&Pcl=15.758&Pch=0.034&Ppl=0.000&Pph=0.011&Pc=0.000&Pp=0.000&Vg=112.384&Vw=872.234',
    );
  });

  it('sends -1 for what a 1-phase meter without water does not have', () => {
    const fields = semFormFields(decodeTelegram(telegram('dp_v4_2_kaifa')));
    expect(fields).toContain('&UL1=-1.0&UL2=-1.0&UL3=-1.0');
    expect(fields).toContain('&Vw=-1.000');
    expect(fields).toMatch(/&Vg=981\.443&/);
  });
});

describe('dsmr-reader datalogger form', () => {
  it('encodes like Python requests: * and ( are escaped, CRLF is %0D%0A, space is +', () => {
    expect(quotePlus('1-0:1.8.1(000.1*kWh)\r\n a~b_c.d')).toBe('1-0%3A1.8.1%28000.1%2AkWh%29%0D%0A+a~b_c.d');
    const t = withLineEnd(telegram('dp_v5_iskra'));
    const req = buildRequest('dsmr-reader', [{ body: t, at: 0 }], { key: 'K', dsmrHeader: 'x-authkey' });
    expect(req.headers['x-authkey']).toBe('K');
    expect(decodeURIComponent(String(req.body).slice('telegram='.length).replace(/\+/g, ' '))).toBe(t);
    expect(t.endsWith('\r\n')).toBe(true);
  });
});

describe('server answers', () => {
  const h = (o: Record<string, string> = {}) => new Headers(o);
  it('acknowledges 2xx and duplicates, retries 429/5xx honouring Retry-After, rejects other 4xx by code', () => {
    expect(classifyResponse(201, h(), '{}')).toMatchObject({ kind: 'ack', duplicate: false });
    expect(classifyResponse(200, h(), '{"duplicate":true}')).toMatchObject({ kind: 'ack', duplicate: true });
    expect(classifyResponse(409, h(), '{"error":{"code":"duplicate","message":"x"}}')).toMatchObject({ kind: 'ack', duplicate: true });
    expect(classifyResponse(429, h({ 'retry-after': '7' }), '')).toMatchObject({ kind: 'retry', retryAfterMs: 7000 });
    expect(classifyResponse(503, h(), '')).toMatchObject({ kind: 'retry', reason: 'http_503' });
    expect(classifyResponse(400, h(), '{"error":{"code":"bad_crc","message":"x"}}')).toMatchObject({ kind: 'reject', reason: 'bad_crc' });
    expect(classifyResponse(401, h(), 'nope')).toMatchObject({ kind: 'reject', reason: 'http_401' });
  });

  it('reads Retry-After as seconds or a date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfterMs('120', now)).toBe(120_000);
    expect(parseRetryAfterMs('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfterMs('soon', now)).toBeUndefined();
  });

  it('backs off exponentially with jitter, capped', () => {
    const policy = { baseMs: 100, maxMs: 1000 };
    expect(backoffDelayMs(1, policy, () => 1)).toBe(100);
    expect(backoffDelayMs(3, policy, () => 1)).toBe(400);
    expect(backoffDelayMs(10, policy, () => 1)).toBe(1000);
    expect(backoffDelayMs(10, policy, () => 0.5)).toBe(500);
    expect(backoffDelayMs(2, policy, () => 0)).toBe(50);
  });

  it('honours Retry-After plus a random part of a second, also when refused again and again; backs off without it', () => {
    const policy = { baseMs: 100, maxMs: 60_000 };
    expect(retryDelayMs(1, 2000, policy, () => 0)).toBe(2000);
    expect(retryDelayMs(1, 2000, policy, () => 0.999)).toBe(2999);
    // Refused ten times: the server's appointment, not a back-off of the device's own (51 s here).
    expect(retryDelayMs(10, 1000, policy, () => 0.9)).toBe(1900);
    expect(retryDelayMs(10, undefined, policy, () => 0.9)).toBe(46_080);
    expect(retryDelayMs(3, undefined, policy, () => 1)).toBe(400);
    const spread = new Set(Array.from({ length: 100 }, () => Math.floor(retryDelayMs(1, 1000, policy) / 50)));
    expect(spread.size).toBeGreaterThan(3);
  });

  it('computes nearest-rank percentiles', () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(xs, 0.5)).toBe(50);
    expect(percentile(xs, 0.99)).toBe(99);
    expect(percentile([], 0.5)).toBeNull();
  });
});

describe('Idempotency-Key', () => {
  const auth = { key: 'k', dsmrHeader: 'x-authkey' as const };
  const entries = [
    { id: 7, item: { body: { time: '2026-11-21T10:00:00Z', powerImportW: 1 }, at: 1_000 } },
    { id: 8, item: { body: { time: '2026-11-21T10:00:01Z', powerImportW: 2 }, at: 2_000 } },
  ];
  it('is the same for every retry of the same outbox entries and differs for others', () => {
    expect(idempotencyKey(entries)).toBe(idempotencyKey(entries.map((e) => ({ ...e }))));
    expect(idempotencyKey(entries)).not.toBe(idempotencyKey(entries.slice(1)));
    expect(idempotencyKey(entries)).toMatch(/^[\x21-\x7e]{1,255}$/);
  });
  it("is sent on SEM's own routes, not on the forms of clients that cannot send one", () => {
    const key = idempotencyKey(entries);
    expect(buildRequest('json', entries.map((e) => e.item), auth, key).headers['idempotency-key']).toBe(key);
    expect(buildRequest('sem', [{ body: 'UL1=230.0', at: 1 }], auth, key).headers['idempotency-key']).toBeUndefined();
  });
});
