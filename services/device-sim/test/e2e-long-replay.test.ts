import { describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, decodeRecorded, runDeviceSim, storedMbus, storedReadings, useE2eApi } from './e2e-harness.ts';
import { p1Fixture } from './fixtures.ts';

/**
 * One hour of a live-looking meter from a single telegram, produced in virtual time: the server
 * must accept all 3600 (CRC valid, not in the future), and the stored series must read like a real
 * meter: one reading per second, registers and gas never going back, energy following the power.
 */
const e2e = useE2eApi();

describe('an hour of replay from one capture', () => {
  it('passes the server checks and reads like a live meter', async () => {
    const r = await runDeviceSim([
      '--source', p1Fixture('dp_v5_iskra'), '--post', 'telegram', '--url', e2e.api.url, '--admin-token', ADMIN_TOKEN,
      '--devices', '1', '--name-prefix', 'hour', '--virtual', '--duration', '1h', '--batch-max', '400',
    ]);
    e2e.dirs.push(r.dir);
    expect(r.summary).toMatchObject({ readings: 3600, acknowledged: 3600, duplicate: 0, rejected: {}, pending: 0 });
    const [file, bytes] = [...r.recorded][0]!;
    const sent = decodeRecorded(file, bytes, 'Europe/Brussels');
    expect(sent.every((s) => s.checksum === 'valid')).toBe(true);

    const stored = await storedReadings(e2e.t.db, 'hour-0001');
    expect(stored).toHaveLength(3600);
    const times = stored.map((s) => s.meterTime.getTime());
    expect(new Set(times.slice(1).map((x, i) => x - times[i]!))).toEqual(new Set([1000]));
    expect(times.at(-1)!).toBeLessThanOrEqual(Date.now());
    for (const k of ['energyImportT1Kwh', 'energyImportT2Kwh', 'energyExportT1Kwh', 'energyExportT2Kwh'] as const) {
      for (let i = 1; i < stored.length; i++) expect(stored[i]!.values[k]!).toBeGreaterThanOrEqual(stored[i - 1]!.values[k]!);
    }
    // The capture runs on tariff 2 at 244 W: an hour adds 0.244 kWh there (to the Wh, floored), nothing elsewhere.
    const [first, last] = [stored[0]!.values, stored.at(-1)!.values];
    expect(last.energyImportT2Kwh! - first.energyImportT2Kwh!).toBeCloseTo(0.244 * (3599 / 3600), 2);
    expect(last.energyImportT1Kwh).toBe(first.energyImportT1Kwh);
    const gas = (await storedMbus(e2e.t.db, 'hour-0001')).filter((g) => g.channel === 1);
    expect(gas.length).toBeGreaterThanOrEqual(12);
    for (let i = 1; i < gas.length; i++) {
      expect(gas[i]!.capturedAt.getTime() - gas[i - 1]!.capturedAt.getTime()).toBe(300_000);
      expect(gas[i]!.value).toBeGreaterThan(gas[i - 1]!.value);
    }
  });
});
