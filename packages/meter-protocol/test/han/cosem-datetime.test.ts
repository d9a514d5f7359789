import { describe, expect, it } from 'vitest';
import { cosemDateTimeToUtc, parseCosemDateTime } from '../../src/dlms/cosem-datetime.ts';

const dt = (hex: string) => parseCosemDateTime(Uint8Array.from(Buffer.from(hex, 'hex')));
const utc = (hex: string, policy: 'deviation' | 'local' | 'standard', tz = 'Europe/Oslo') =>
  cosemDateTimeToUtc(dt(hex), policy, tz)?.toISOString() ?? null;

describe('COSEM date-time', () => {
  it('splits the fields, with 0xFF and 0x8000 as not specified', () => {
    expect(dt('07e50b1904170037ff800000')).toEqual({
      year: 2021, month: 11, day: 25, dayOfWeek: 4, hour: 23, minute: 0, second: 55,
      hundredths: null, deviation: null, status: 0,
    });
    expect(dt('07e503190413010e00ffc480').deviation).toBe(-60);
    expect(dt('07e503190413010e00ffc4ff').status).toBeNull();
  });

  it('uses the Blue Book deviation when specified: UTC = local + deviation', () => {
    expect(utc('07e503190413010e00ffc400', 'deviation')).toBe('2021-03-25T18:01:14.000Z'); // -60, CET
    expect(utc('07e5061904130100ffff8880', 'deviation')).toBe('2021-06-25T17:01:00.000Z'); // -120, CEST
  });

  it('reads local wall time in the zone when the deviation is not specified', () => {
    expect(utc('07e50b1904170037ff800000', 'deviation')).toBe('2021-11-25T22:00:55.000Z');
    expect(utc('07e6060104100000ff800000', 'deviation')).toBe('2022-06-01T14:00:00.000Z');
    expect(utc('07e6060104100000ff800000', 'deviation', 'Europe/Stockholm')).toBe('2022-06-01T14:00:00.000Z');
    expect(utc('07e6060104100000ff800000', 'deviation', 'UTC')).toBe('2022-06-01T16:00:00.000Z');
  });

  it("'local' ignores a deviation that is not Blue Book (Aidon +60 in summer)", () => {
    expect(utc('07e3060c03120000ff003c00', 'local')).toBe('2019-06-12T16:00:00.000Z');
    expect(utc('07e3060c03120000ff003c00', 'deviation')).toBe('2019-06-12T19:00:00.000Z');
  });

  it("'standard' reads winter time all year (Kamstrup)", () => {
    expect(utc('07e6060104100000ff800080', 'standard')).toBe('2022-06-01T15:00:00.000Z');
    expect(utc('07e6010104100000ff800000', 'standard')).toBe('2022-01-01T15:00:00.000Z');
  });

  it('reads the repeated autumn hour as summer time: a set DST bit says so, a clear one is not trusted', () => {
    // 2022-10-30 02:30 happens twice in Oslo: 00:30Z (CEST) and 01:30Z (CET). Kaifa and Kamstrup send
    // status 00 in summer too (kaifa_1p_list3_2, May), so a clear bit cannot select the CET reading.
    expect(utc('07e60a1e07021e00ff800080', 'deviation')).toBe('2022-10-30T00:30:00.000Z');
    expect(utc('07e60a1e07021e00ff800000', 'deviation')).toBe('2022-10-30T00:30:00.000Z');
    expect(utc('07e60a1e07031e00ff800000', 'deviation')).toBe('2022-10-30T02:30:00.000Z'); // 03:30 is unambiguous CET
    // the skipped spring hour is read with the winter offset
    expect(utc('07e6031b07021e00ff800000', 'local')).toBe('2022-03-27T01:30:00.000Z');
  });

  it('returns null for unset and invalid clocks, never 1970', () => {
    for (const hex of [
      '000000000000000000000000',
      'ffffffffffffffffff800000',
      '07e50d0104100000ff800000', // month 13
      '07e5021e04100000ff800000', // 30 February
      '07e5020104180000ff800000', // hour 24
      '07e5fd0104100000ff800000', // DST-begin wildcard month
      '07b2010104100000ff800000', // 1970
      '07e5010104100000ff7fff00', // deviation beyond 15 h
    ]) {
      expect(utc(hex, 'deviation'), hex).toBeNull();
    }
  });
});
