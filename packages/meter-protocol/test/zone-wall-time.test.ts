import { describe, expect, it } from 'vitest';
import { assertTimeZone, standardOffsetMs, UnsupportedError, zoneWallTime } from '../src/index.ts';

const H = 3_600_000;

describe('zoneWallTime', () => {
  it('reads the wall clock on both sides of the spring change (Brussels, 2026-03-29 01:00 UTC)', () => {
    expect(zoneWallTime(Date.parse('2026-03-29T00:59:59Z'), 'Europe/Brussels')).toEqual({
      year: 2026, month: 3, day: 29, hour: 1, minute: 59, second: 59, weekday: 7, offsetMs: H,
    });
    expect(zoneWallTime(Date.parse('2026-03-29T01:00:00Z'), 'Europe/Brussels')).toEqual({
      year: 2026, month: 3, day: 29, hour: 3, minute: 0, second: 0, weekday: 7, offsetMs: 2 * H,
    });
  });

  it('crosses the date line of the zone and drops the milliseconds', () => {
    expect(zoneWallTime(Date.parse('2026-11-22T23:30:15.999Z'), 'Australia/Sydney')).toEqual({
      year: 2026, month: 11, day: 23, hour: 10, minute: 30, second: 15, weekday: 1, offsetMs: 11 * H,
    });
    expect(zoneWallTime(Date.parse('2026-01-01T00:00:00Z'), 'America/New_York')).toMatchObject({ year: 2025, month: 12, day: 31, hour: 19, weekday: 3 });
  });

  it('gives the standard offset as the smaller of January and July on both hemispheres', () => {
    expect(standardOffsetMs(2026, 'Europe/Brussels')).toBe(H);
    expect(standardOffsetMs(2026, 'Australia/Sydney')).toBe(10 * H);
    expect(standardOffsetMs(2026, 'Asia/Kolkata')).toBe(5.5 * H);
  });

  it('names an unknown zone', () => {
    expect(() => zoneWallTime(0, 'Europe/Atlantis')).toThrow(UnsupportedError);
    expect(() => assertTimeZone('Europe/Atlantis')).toThrow(/Europe\/Atlantis/);
    expect(() => assertTimeZone('Europe/Oslo')).not.toThrow();
  });
});
