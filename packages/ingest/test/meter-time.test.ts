import { describe, expect, it } from 'vitest';
import { emptyReading } from '@sem/meter-protocol';
import { DEFAULT_TIME_WINDOW, parseClientTime, parseIsoTime, timeProblem } from '../src/time/meter-time.ts';
import { prepareReading } from '../src/write/prepared-reading.ts';
import { fromJson } from '../src/payloads/json-reading.ts';

const RECEIVED = new Date('2026-12-04T12:00:00Z');

describe('parseIsoTime', () => {
  it('reads ISO 8601 with an offset to the millisecond', () => {
    expect(parseIsoTime('2026-03-29T01:59:59.9999Z').toISOString()).toBe('2026-03-29T01:59:59.999Z');
    expect(parseIsoTime('2026-03-29T03:00+02:00').toISOString()).toBe('2026-03-29T01:00:00.000Z');
    expect(parseIsoTime('2026-01-01T00:00:00-0530').toISOString()).toBe('2026-01-01T05:30:00.000Z');
    expect(parseIsoTime('2028-02-29T00:00:00Z').toISOString()).toBe('2028-02-29T00:00:00.000Z');
    expect(parseIsoTime('0050-06-01T00:00:00Z').getUTCFullYear()).toBe(50);
  });

  it.each(['2026-13-45T25:61:61Z', '2026-02-29T00:00:00Z', '2100-02-29T00:00:00Z', '2026-04-31T00:00Z', '2026-01-01T24:00:00Z', '2026-01-01T00:60Z', '2026-01-01T00:00:60Z', '2026-01-01T00:00:00+19:00', '2026-00-10T00:00Z', '2026-01-00T00:00Z', '2026-01-01T00:00:00', 'yesterday', ''])(
    'refuses %j as an invalid date, never throws',
    (text) => {
      expect(Number.isNaN(parseIsoTime(text).getTime())).toBe(true);
    },
  );

  it('takes epoch milliseconds as integers only', () => {
    expect(parseClientTime(1_780_000_000_000).getTime()).toBe(1_780_000_000_000);
    expect(Number.isNaN(parseClientTime(1.5).getTime())).toBe(true);
  });
});

describe('the plausible window', () => {
  it('refuses a time before the floor, after the allowed skew, or not a time, with a reason', () => {
    expect(timeProblem(new Date('1999-12-31T23:59:59.999Z'), RECEIVED, DEFAULT_TIME_WINDOW)?.code).toBe('implausible_time');
    expect(timeProblem(new Date('2000-01-01T00:00:00Z'), RECEIVED, DEFAULT_TIME_WINDOW)).toBeNull();
    expect(timeProblem(new Date(RECEIVED.getTime() + DEFAULT_TIME_WINDOW.maxAheadMs), RECEIVED, DEFAULT_TIME_WINDOW)).toBeNull();
    expect(timeProblem(new Date(RECEIVED.getTime() + DEFAULT_TIME_WINDOW.maxAheadMs + 1), RECEIVED, DEFAULT_TIME_WINDOW)?.code).toBe('future_time');
    expect(timeProblem(new Date(Number.NaN), RECEIVED, DEFAULT_TIME_WINDOW)?.code).toBe('invalid_time');
  });

  it('applies to the reading time, the M-Bus capture time and the configured floor', () => {
    const prepare = (body: Parameters<typeof fromJson>[0], floor = DEFAULT_TIME_WINDOW.floor) =>
      prepareReading(fromJson(body), { deviceId: 1, receivedAt: RECEIVED, source: 'json', timeWindow: { floor, maxAheadMs: DEFAULT_TIME_WINDOW.maxAheadMs } });
    expect(prepare({ time: '0050-06-01T00:00:00Z', energyImportKwh: 1 })).toMatchObject({ rejected: { code: 'implausible_time' } });
    expect(prepare({ time: '2026-13-45T25:61:61Z', energyImportKwh: 1 })).toMatchObject({ rejected: { code: 'invalid_time' } });
    expect(prepare({ time: 0, energyImportKwh: 1 })).toMatchObject({ rejected: { code: 'implausible_time' } });
    expect(prepare({ time: '2026-12-04T11:00:00Z', mbus: [{ channel: 1, value: 3, capturedAt: '0050-06-01T00:00:00Z' }] })).toMatchObject({
      rejected: { code: 'implausible_time', message: expect.stringContaining('mbus channel 1') },
    });
    expect(prepare({ time: '2026-12-04T11:00:00Z', energyImportKwh: 1 })).toHaveProperty('ok');
    expect(prepare({ time: '2019-12-04T11:00:00Z', energyImportKwh: 1 }, new Date('2020-01-01T00:00:00Z'))).toMatchObject({ rejected: { code: 'implausible_time' } });
  });

  it('leaves out power failures and demand peaks at implausible times, keeps the reading', () => {
    const r = emptyReading('p1');
    r.meterTime = new Date('2026-12-04T11:00:00Z');
    r.values.energyImportKwh = 1;
    r.powerFailureLog = [
      { endedAt: new Date('1970-01-01T00:00:05Z'), durationS: 5 },
      { endedAt: new Date('2026-11-01T00:00:00Z'), durationS: 7 },
    ];
    const p = prepareReading(r, { deviceId: 1, receivedAt: RECEIVED, source: 'p1' });
    if (!('ok' in p)) throw new Error(JSON.stringify(p));
    expect(p.ok.powerFailures).toEqual([{ endedAt: new Date('2026-11-01T00:00:00Z'), durationS: 7 }]);
  });
});
