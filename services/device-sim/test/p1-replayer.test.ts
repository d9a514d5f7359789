import { describe, expect, it } from 'vitest';
import { decodeTelegram, type Reading } from '@sem/meter-protocol';
import { P1Replayer } from '../src/replay/p1-replayer.ts';
import { loadCaptures } from '../src/sources/capture-files.ts';
import { p1Timestamp } from '../src/time/zone-clock.ts';
import { p1Fixture, p1FixtureNames } from './fixtures.ts';

const HOUR = 3_600_000;

function telegramsOf(name: string): string[] {
  return loadCaptures(p1Fixture(name)).units.flatMap((u) => (u.protocol === 'p1' ? [u.telegram] : []));
}

function crcOf(telegram: string): string | undefined {
  return /!([0-9A-F]{4})/.exec(telegram)?.[1];
}

describe('P1 replay rewriting', () => {
  it('gives the S flag in summer and W in winter, by the tz database', () => {
    expect(p1Timestamp('Europe/Brussels', new Date('2026-07-01T10:00:00Z'))).toBe('260701120000S');
    expect(p1Timestamp('Europe/Brussels', new Date('2026-01-15T10:00:00Z'))).toBe('260115110000W');
    // Autumn change 2026-10-25 01:00 UTC: 02:59:59 S, then 02:00:00 W again.
    expect(p1Timestamp('Europe/Brussels', new Date('2026-10-25T00:59:59Z'))).toBe('261025025959S');
    expect(p1Timestamp('Europe/Brussels', new Date('2026-10-25T01:00:00Z'))).toBe('261025020000W');
  });

  // Every capture with a CRC that the library accepts as captured.
  const names = p1FixtureNames().filter((name) => {
    const t = telegramsOf(name)[0]!;
    if (!crcOf(t)) return false;
    try {
      decodeTelegram(t);
      return true;
    } catch {
      return false;
    }
  });

  it('has captures to work on', () => expect(names.length).toBeGreaterThan(5));

  it.each(names)('%s: clock reads now, CRC is recomputed and valid, registers follow the power', (name) => {
    const replayer = new P1Replayer(telegramsOf(name), { zone: 'Europe/Brussels' });
    const start = Date.parse('2026-03-10T08:00:00Z');
    const times = [start, start + 1000, start + HOUR, start + 2 * HOUR];
    const readings: Reading[] = [];
    for (const t of times) {
      const telegram = replayer.next(t);
      const reading = decodeTelegram(telegram, { timeZone: 'Europe/Brussels' });
      expect(reading.checksum).toBe('valid');
      if (reading.meterTime) expect(reading.meterTime.getTime()).toBe(t);
      readings.push(reading);
    }
    const keys = ['energyImportT1Kwh', 'energyImportT2Kwh', 'energyExportT1Kwh', 'energyExportT2Kwh', 'energyImportKwh'] as const;
    for (let i = 1; i < readings.length; i++) {
      for (const k of keys) {
        const [a, b] = [readings[i - 1]!.values[k], readings[i]!.values[k]];
        if (a !== undefined && b !== undefined) expect(b).toBeGreaterThanOrEqual(a);
      }
      for (const m of readings[i]!.mbus) {
        const before = readings[i - 1]!.mbus.find((x) => x.channel === m.channel);
        if (m.value !== null && before?.value != null) expect(m.value).toBeGreaterThanOrEqual(before.value);
      }
    }
    // One hour at the captured import power on the active tariff: energy = power × time, to the printed resolution.
    const [r1, r2] = [readings[1]!, readings[2]!];
    const tariff = r1.values.tariff === 2 ? 'energyImportT2Kwh' : 'energyImportT1Kwh';
    const before = r1.values[tariff] ?? r1.values.energyImportKwh;
    const after = r2.values[tariff] ?? r2.values.energyImportKwh;
    if (before !== undefined && after !== undefined && r1.values.powerImportW !== undefined) {
      const expected = ((r1.values.powerImportW / 1000) * (HOUR - 1000)) / HOUR;
      expect(after - before).toBeCloseTo(expected, 2);
    }
  });

  it('keeps registers growing when several captures are cycled', () => {
    const telegrams = ['dp_v4_2_kaifa', 'athom_kaifa_dsmr42_3phase'].flatMap(telegramsOf);
    const replayer = new P1Replayer(telegrams, { zone: 'Europe/Amsterdam' });
    let last = -Infinity;
    for (let k = 0; k < 6; k++) {
      const r = decodeTelegram(replayer.next(Date.parse('2026-02-01T00:00:00Z') + k * 600_000), { timeZone: 'Europe/Amsterdam' });
      const total = (r.values.energyImportT1Kwh ?? 0) + (r.values.energyImportT2Kwh ?? 0);
      expect(total).toBeGreaterThanOrEqual(last);
      last = total;
    }
  });

  it('leaves DSMR 2.2 telegrams without a CRC and moves the gas profile forward', () => {
    const replayer = new P1Replayer(telegramsOf('dp_v2_2_iskra'));
    const a = replayer.next(Date.parse('2026-03-10T08:00:00Z'));
    const b = replayer.next(Date.parse('2026-03-10T10:00:00Z'));
    expect(crcOf(a)).toBeUndefined();
    expect(b.endsWith('!')).toBe(true);
    const gas = (t: string) => Number(/\r\n\((\d+\.\d+)\)\r\n/.exec(t)![1]);
    expect(gas(b)).toBeGreaterThan(gas(a));
  });

  it('swings power and current with --vary, and the registers follow the swung power', () => {
    const replayer = new P1Replayer(telegramsOf('dp_v5_iskra'), { zone: 'Europe/Brussels', vary: 0.5, phase: 1 });
    const start = Date.parse('2026-03-10T00:00:00Z');
    const readings = Array.from({ length: 24 * 6 + 1 }, (_, k) => decodeTelegram(replayer.next(start + k * 600_000)));
    const powers = readings.map((r) => r.values.powerImportW!);
    expect(Math.max(...powers) - Math.min(...powers)).toBeGreaterThan(150);
    expect(Math.min(...powers)).toBeGreaterThanOrEqual(0);
    // Phase currents move with the total power.
    expect(new Set(readings.map((r) => r.values.currentL1A)).size).toBeGreaterThan(5);
    // Tariff 2 register grows by the sum of power × 10 minutes, to the printed Wh, floored.
    let wh = 0;
    for (let k = 1; k < readings.length; k++) wh += readings[k]!.values.powerImportW! / 6;
    const grown = (readings.at(-1)!.values.energyImportT2Kwh! - readings[0]!.values.energyImportT2Kwh!) * 1000;
    // The printed power is floored to the watt; the register uses the unrounded swing.
    expect(Math.abs(grown - wh)).toBeLessThan(readings.length / 6 + 2);
  });
});
