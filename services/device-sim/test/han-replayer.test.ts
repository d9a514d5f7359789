import { describe, expect, it } from 'vitest';
import { decodeFrame } from '@sem/meter-protocol';
import { HanReplayer } from '../src/replay/han-replayer.ts';
import { kwhPerUnitFromDecoder, standardTimeFromDecoder } from '../src/replay/han-register-unit.ts';
import { replayUnits } from '../src/replay/replay-source.ts';
import { loadCaptures } from '../src/sources/capture-files.ts';
import { virtualClock } from '../src/time/clock.ts';
import { hanFixture } from './fixtures.ts';

const HOUR = 3_600_000;
const framesOf = (...names: string[]) =>
  names.flatMap((n) => loadCaptures(hanFixture(n)).units.flatMap((u) => (u.protocol === 'han' ? [u.frame] : [])));

describe('HAN replay rewriting', () => {
  it.each([
    ['kaifa_3p_list3_1', 'Europe/Oslo'],
    ['aidon_3p_list3_1', 'Europe/Oslo'],
  ])('%s: clocks read now, FCS valid, import register grows with the power', (name, zone) => {
    const frames = framesOf(name);
    const base = decodeFrame(frames[0]!, { timeZone: zone });
    const replayer = new HanReplayer(frames, {
      zone,
      kwhPerUnit: kwhPerUnitFromDecoder({ timeZone: zone }),
    });
    const t0 = Date.parse('2026-07-01T10:00:10Z');
    const a = decodeFrame(replayer.next(3, t0), { timeZone: zone });
    const b = decodeFrame(replayer.next(3, t0 + HOUR), { timeZone: zone });
    expect(a.list).toBe(3);
    // Kaifa clocks carry seconds; Aidon's list clock is on the whole minute.
    expect(Math.abs(a.meterTime!.getTime() - t0)).toBeLessThanOrEqual(10_000);
    expect(b.meterTime!.getTime() - a.meterTime!.getTime()).toBe(HOUR);
    expect(a.values.energyImportKwh).toBe(base.values.energyImportKwh);
    const expected = base.values.powerImportW! / 1000;
    expect(b.values.energyImportKwh! - a.values.energyImportKwh!).toBeCloseTo(expected, 1);
  });

  it('cycles an Aidon capture with the meter cadence: list 1 every 2 s, list 2 every 10 s, list 3 hourly', async () => {
    const frames = framesOf('aidon_3p_list1_1', 'aidon_3p_list2_1', 'aidon_3p_list3_1');
    const start = Date.parse('2026-01-20T09:59:00Z');
    const clock = virtualClock(start);
    const ac = new AbortController();
    const seen: { at: number; list: number | null }[] = [];
    for await (const { atMs, unit } of replayUnits(
      frames.map((frame) => ({ protocol: 'han' as const, frame })),
      { clock, rewrite: true, jitter: 0, p1: {}, han: { zone: 'Europe/Oslo', kwhPerUnit: () => 0.01 } },
      ac.signal,
    )) {
      if (unit.protocol !== 'han') throw new Error('expected HAN');
      seen.push({ at: atMs, list: decodeFrame(unit.frame, { timeZone: 'Europe/Oslo' }).list });
      if (atMs >= start + 2 * 60_000) ac.abort();
    }
    const byList = (l: number) => seen.filter((s) => s.list === l).map((s) => s.at);
    const gaps = (xs: number[]) => xs.slice(1).map((x, i) => x - xs[i]!);
    // List 2 takes the place of the list 1 due in its second: list 1 gaps are 2 s, or 4 s around a list 2.
    expect(new Set(gaps(byList(1)))).toEqual(new Set([2000, 4000]));
    expect(new Set(gaps(byList(2)).filter((g) => g !== 20_000))).toEqual(new Set([10_000]));
    expect(new Set(seen.map((s) => s.at)).size).toBe(seen.length);
    expect(byList(3)).toEqual([Date.parse('2026-01-20T10:00:10Z')]);
  });

  it('sends encrypted frames as captured', () => {
    const frames = framesOf('kamstrup_3p_list2_2');
    const replayer = new HanReplayer(frames, { zone: 'Europe/Oslo', kwhPerUnit: () => 0.01 });
    const out = replayer.next(replayer.lists[0]!, Date.parse('2026-07-01T10:00:00Z'));
    expect(() => decodeFrame(out)).not.toThrow();
  });

  it.each([
    ['kaifa_3p_list3_1', 0.001],
    ['aidon_3p_list3_1', 0.01],
  ])('%s: learns the register unit from the decoder', (name, unit) => {
    const [frame] = framesOf(name);
    expect(kwhPerUnitFromDecoder()(frame!)).toBeCloseTo(unit, 9);
  });

  it.each([
    ['kamstrup_3p_list2_2', '2026-07-01T10:00:00Z'],
    ['kamstrup_3p_list2_2', '2026-01-15T10:00:00Z'],
    ['kaifa_3p_list2_1', '2026-07-01T10:00:00Z'],
    ['kaifa_3p_list2_1', '2026-01-15T10:00:00Z'],
  ])('%s at %s: the clock is written the way the vendor keeps it (Kamstrup on standard time)', (name, iso) => {
    const frames = framesOf(name);
    const zone = 'Europe/Oslo';
    const replayer = new HanReplayer(frames, { zone, kwhPerUnit: kwhPerUnitFromDecoder({ timeZone: zone }), standardTime: standardTimeFromDecoder({ timeZone: zone }) });
    const t = Date.parse(iso);
    expect(decodeFrame(replayer.next(2, t), { timeZone: zone }).meterTime!.getTime()).toBe(t);
  });
});
