import { describe, expect, it } from 'vitest';
import { UnsupportedError } from '../../src/errors.ts';
import { parseP1Time } from '../../src/dsmr/p1-time.ts';

const BXL = 'Europe/Brussels';
const iso = (text: string, zone = BXL) => parseP1Time(text, zone)?.toISOString() ?? null;

describe('parseP1Time', () => {
  it('converts winter and summer wall time with the zone offset', () => {
    expect(iso('161113205757W')).toBe('2016-11-13T19:57:57.000Z');
    expect(iso('200512135409S')).toBe('2020-05-12T11:54:09.000Z');
  });

  it('lets the tz database, not the flag, decide the offset (e-MUCS spec examples send S in winter)', () => {
    expect(iso('200301000000S')).toBe('2020-02-29T23:00:00.000Z');
    expect(iso('200305122139S')).toBe('2020-03-05T11:21:39.000Z');
    expect(iso('200701120000W')).toBe('2020-07-01T10:00:00.000Z');
  });

  it('uses the flag for the repeated autumn hour, the earlier instant without one', () => {
    expect(iso('201025023000S')).toBe('2020-10-25T00:30:00.000Z');
    expect(iso('201025023000W')).toBe('2020-10-25T01:30:00.000Z');
    expect(iso('201025023000')).toBe('2020-10-25T00:30:00.000Z');
  });

  it('maps a wall time in the spring gap with the flag, or the offset before the change', () => {
    expect(iso('200329023000')).toBe('2020-03-29T01:30:00.000Z');
    expect(iso('200329023000S')).toBe('2020-03-29T00:30:00.000Z');
    expect(iso('200329033000S')).toBe('2020-03-29T01:30:00.000Z');
  });

  it('accepts lower-case flags and flagless DSMR 2.2 times', () => {
    expect(iso('150701190000s')).toBe('2015-07-01T17:00:00.000Z');
    expect(iso('161107190000')).toBe('2016-11-07T18:00:00.000Z');
  });

  it('gives null for unset, sentinel and invalid clocks, never 1970 and never an exception', () => {
    for (const text of ['000101010000W', '000101000001W', '700101010000W', '632525252525W', '123412341234W', '210229120000W', '201301000000W', '200101240000W', '200101006000W', '2001010000000W', '20010100000', '20010100000XW', '200101000000X', '', 'abcdefghijklm']) {
      expect(iso(text), text).toBeNull();
    }
    expect(iso('200229120000W')).toBe('2020-02-29T11:00:00.000Z');
  });

  it('follows the zone given per call', () => {
    expect(iso('230202132747W', 'Europe/Dublin')).toBe('2023-02-02T13:27:47.000Z');
    expect(iso('230802132747S', 'Europe/Stockholm')).toBe('2023-08-02T11:27:47.000Z');
    expect(iso('230802132747S', 'UTC')).toBe('2023-08-02T13:27:47.000Z');
  });

  it('computes the calendar exactly: every day 2001-2068 at noon UTC equals Date.UTC', () => {
    for (let t = Date.UTC(2001, 0, 1, 12); t < Date.UTC(2069, 0, 1); t += 86_400_000) {
      const d = new Date(t);
      const two = (n: number) => String(n).padStart(2, '0');
      const text = `${two(d.getUTCFullYear() - 2000)}${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}120000W`;
      expect(parseP1Time(text, 'UTC')?.getTime(), text).toBe(t);
    }
  });

  it('rejects an unknown zone with a ProtocolError', () => {
    expect(() => parseP1Time('161113205757W', 'Mars/Olympus')).toThrow(UnsupportedError);
  });

  it('agrees with Intl at every hour across both 2024 transitions', () => {
    const fmt = new Intl.DateTimeFormat('en-GB', { timeZone: BXL, hourCycle: 'h23', year: '2-digit', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    for (const start of [Date.UTC(2024, 2, 30, 12), Date.UTC(2024, 9, 26, 12)]) {
      for (let t = start; t < start + 24 * 3_600_000; t += 900_000) {
        const p = Object.fromEntries(fmt.formatToParts(t).map((x) => [x.type, x.value]));
        const summer = new Date(t).getTime() < Date.UTC(2024, 9, 27, 1) && new Date(t).getTime() >= Date.UTC(2024, 2, 31, 1);
        const text = `${p.year}${p.month}${p.day}${p.hour}${p.minute}${p.second}${summer ? 'S' : 'W'}`;
        expect(iso(text), text).toBe(new Date(t).toISOString());
      }
    }
  });

  it('gives every minute of a remembered hour its own instant, also in a zone that shifts by 30 minutes at :30 UTC', () => {
    // hours are remembered per zone: warm them at :59 and :00 first, then check every 5 minutes against Intl
    for (const zone of [BXL, 'Australia/Lord_Howe']) {
      const fmt = new Intl.DateTimeFormat('en-GB', { timeZone: zone, hourCycle: 'h23', year: '2-digit', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
      const text = (t: number) => {
        const p = Object.fromEntries(fmt.formatToParts(t).map((x) => [x.type, x.value]));
        const wall = Date.UTC(2000 + Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
        const standard = zone === BXL ? 3_600_000 : 37_800_000;
        return `${p.year}${p.month}${p.day}${p.hour}${p.minute}${p.second}${wall - t > standard ? 'S' : 'W'}`;
      };
      // 2024 transitions: Brussels 31 Mar and 27 Oct at 01:00 UTC; Lord Howe 6 Apr and 5 Oct at 15:00 and 15:30 UTC
      for (const change of zone === BXL ? [Date.UTC(2024, 2, 31, 1), Date.UTC(2024, 9, 27, 1)] : [Date.UTC(2024, 3, 6, 15), Date.UTC(2024, 9, 5, 15, 30)]) {
        const from = change - 30 * 3_600_000;
        const to = change + 30 * 3_600_000;
        for (let t = from; t < to; t += 3_600_000) [t + 3_540_000, t].forEach((u) => iso(text(u), zone));
        for (let t = from; t < to; t += 300_000) expect(iso(text(t), zone), `${zone} ${text(t)}`).toBe(new Date(t).toISOString());
      }
    }
  });
});
