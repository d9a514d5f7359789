import { describe, expect, it } from 'vitest';
import { zoneWallTime } from '@sem/meter-protocol';
import { localDateHour } from '../src/time/local-time.ts';

const pad2 = (n: number) => String(n).padStart(2, '0');

describe('localDateHour', () => {
  // Half-hour offsets, half-hour DST (Lord Howe), negative offsets and the meters' own zones.
  const zones = ['Europe/Brussels', 'Europe/Oslo', 'Asia/Kolkata', 'Australia/Lord_Howe', 'America/St_Johns', 'Pacific/Chatham'];

  it('agrees with the zone clock at every 31st minute of two years, across every DST change', () => {
    const from = Date.UTC(2025, 0, 1);
    const to = Date.UTC(2027, 0, 1);
    for (const zone of zones) {
      let mismatches = 0;
      for (let ms = from; ms < to; ms += 31 * 60_000 + 7_000) {
        const w = zoneWallTime(ms, zone);
        const got = localDateHour(ms, zone);
        if (got.date !== `${w.year}-${pad2(w.month)}-${pad2(w.day)}` || got.hour !== w.hour) mismatches++;
      }
      expect(mismatches, zone).toBe(0);
    }
  });

  it('is right on both sides of a change inside an hour', () => {
    // Lord Howe moves from +10:30 to +11:00 at 02:00 local (15:30 UTC): mid-way through a UTC hour.
    const change = Date.UTC(2025, 9, 4, 15, 30);
    expect(localDateHour(change - 1000, 'Australia/Lord_Howe')).toEqual({ date: '2025-10-05', hour: 1 });
    expect(localDateHour(change, 'Australia/Lord_Howe')).toEqual({ date: '2025-10-05', hour: 2 });
  });
});
