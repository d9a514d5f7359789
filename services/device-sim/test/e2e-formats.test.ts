import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { QUANTITIES, withTariffTotals, type QuantityName } from '@sem/meter-protocol';
import { ADMIN_TOKEN, atColumnResolution, decodeRecorded, runDeviceSim, storedMbus, storedReadings, useE2eApi } from './e2e-harness.ts';
import { hanFixture, p1Fixture } from './fixtures.ts';

/**
 * Every posting format against the real ingest API and MariaDB: the simulator replays a capture in
 * virtual time, records what it read, and the stored rows must equal that recording decoded by the
 * protocol library, value for value.
 */
const e2e = useE2eApi();

const P1_CAPTURE = p1Fixture('dp_v5_iskra');

function kaifaFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'device-sim-han-'));
  e2e.dirs.push(dir);
  for (const n of ['kaifa_3p_list1_1', 'kaifa_3p_list2_1', 'kaifa_3p_list3_1']) copyFileSync(hanFixture(n), join(dir, `${n}.hex`));
  return dir;
}

async function run(format: string, source: string, prefix: string, extra: string[] = []) {
  const r = await runDeviceSim([
    '--source', source, '--post', format, '--url', e2e.api.url, '--admin-token', ADMIN_TOKEN, '--devices', '1',
    '--name-prefix', prefix, '--virtual', '--duration', '2m', '--batch-max', '50', ...extra,
  ]);
  e2e.dirs.push(r.dir);
  const [file, bytes] = [...r.recorded][0]!;
  return { ...r, device: `${prefix}-0001`, file, bytes };
}

function expectSameValues(stored: Partial<Record<QuantityName, number>>, sent: Partial<Record<QuantityName, number>>) {
  for (const name of QUANTITIES) {
    const v = sent[name];
    if (v === undefined) expect(stored[name], name).toBeUndefined();
    else expect(stored[name], name).toBe(atColumnResolution(name, v));
  }
}

describe.each(['json', 'telegram', 'dsmr-reader'])('P1 replay posted as %s', (format) => {
  it('stores every reading once, with the values and meter times of the telegrams sent', async () => {
    const prefix = `p1-${format}`;
    const r = await run(format, P1_CAPTURE, prefix);
    const sent = decodeRecorded(r.file, r.bytes, 'Europe/Brussels');
    expect(sent.length).toBeGreaterThanOrEqual(115);
    expect(r.summary).toMatchObject({ readings: sent.length, acknowledged: sent.length, duplicate: 0, rejected: {}, pending: 0 });
    const stored = await storedReadings(e2e.t.db, r.device);
    expect(stored.map((s) => s.meterTime.getTime())).toEqual(sent.map((s) => s.meterTime!.getTime()));
    stored.forEach((row, i) => expectSameValues(row.values, sent[i]!.values));
    // Gas: one row per capture time, the value the telegrams carried then.
    const gas = await storedMbus(e2e.t.db, r.device);
    const sentGas = new Map(sent.flatMap((s) => s.mbus.filter((m) => m.value !== null).map((m) => [`${m.channel}@${m.capturedAt!.getTime()}`, m.value])));
    expect(new Map(gas.map((g) => [`${g.channel}@${g.capturedAt.getTime()}`, g.value]))).toEqual(sentGas);
  });
});

describe('P1 replay posted as the SEM firmware form', () => {
  it('stores what the form carries, -1 fields absent, one reading per send interval', async () => {
    const r = await run('sem', P1_CAPTURE, 'p1-sem', ['--duration', '5m']);
    const sent = decodeRecorded(r.file, r.bytes, 'Europe/Brussels');
    // The device's send interval (60 s by default) is the firmware's reading period.
    expect(sent.length).toBeGreaterThanOrEqual(4);
    expect(sent.length).toBeLessThanOrEqual(6);
    expect(r.summary).toMatchObject({ readings: sent.length, acknowledged: sent.length, rejected: {}, pending: 0 });
    const stored = await storedReadings(e2e.t.db, r.device);
    expect(stored).toHaveLength(sent.length);
    const d1 = (x: number) => Number(x.toFixed(1));
    stored.forEach((row, i) => {
      const v = sent[i]!.values;
      // as every route, the server adds the totals of the two tariff registers the form carries
      expect(row.values).toEqual(withTariffTotals({
        voltageL1V: v.voltageL1V,
        voltageL2V: v.voltageL2V,
        voltageL3V: v.voltageL3V,
        currentL1A: d1(v.currentL1A!),
        currentL2A: d1(v.currentL2A!),
        currentL3A: d1(v.currentL3A!),
        energyImportT1Kwh: v.energyImportT1Kwh,
        energyImportT2Kwh: v.energyImportT2Kwh,
        energyExportT1Kwh: v.energyExportT1Kwh,
        energyExportT2Kwh: v.energyExportT2Kwh,
        powerImportW: v.powerImportW,
        powerExportW: v.powerExportW,
      }));
    });
  });
});

describe.each(['frame', 'json'])('HAN replay (Kaifa lists 1, 2, 3) posted as %s', (format) => {
  it('stores every frame once with the values sent', async () => {
    // Two minutes around a full hour, so the hourly list 3 is among them.
    const hour = Math.floor((Date.now() - 180_000) / 3_600_000) * 3_600_000;
    const start = new Date(hour - 60_000).toISOString();
    const r = await run(format, kaifaFolder(), `han-${format}`, ['--zone', 'Europe/Oslo', '--start', start]);
    const sent = decodeRecorded(r.file, r.bytes, 'Europe/Oslo');
    // A frame every 2 s: list 2 in place of list 1 every 10 s, list 3 in place of list 2 at HH:00:10.
    expect(sent.length).toBeGreaterThanOrEqual(58);
    expect(sent.filter((s) => s.list === 2).length).toBeGreaterThanOrEqual(10);
    expect(sent.filter((s) => s.list === 3).map((s) => s.meterTime!.getTime())).toEqual([hour + 10_000]);
    expect(r.summary).toMatchObject({ readings: sent.length, acknowledged: sent.length, duplicate: 0, rejected: {}, pending: 0 });
    const stored = await storedReadings(e2e.t.db, r.device);
    expect(stored.map((s) => s.meterTime.getTime())).toEqual(sent.map((s) => s.meterTime!.getTime()));
    stored.forEach((row, i) => expectSameValues(row.values, sent[i]!.values));
  });
});

describe('HAN frames without a meter clock (Aidon lists 1 and 2)', () => {
  it('posts them one per request so the receive-time key keeps each one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'device-sim-aidon-'));
    e2e.dirs.push(dir);
    for (const n of ['aidon_3p_list1_1', 'aidon_3p_list2_1']) copyFileSync(hanFixture(n), join(dir, `${n}.hex`));
    const r = await run('frame', dir, 'han-aidon', ['--zone', 'Europe/Oslo', '--duration', '30s']);
    const sent = decodeRecorded(r.file, r.bytes, 'Europe/Oslo');
    expect(sent.every((s) => s.meterTime === null)).toBe(true);
    expect(sent.length).toBeGreaterThanOrEqual(14);
    expect(r.summary).toMatchObject({ readings: sent.length, acknowledged: sent.length, duplicate: 0, rejected: {}, pending: 0 });
    expect(r.summary.requests).toBe(sent.length);
    const stored = await storedReadings(e2e.t.db, r.device);
    expect(stored.map((s) => s.values.powerImportW)).toEqual(sent.map((s) => s.values.powerImportW));
  });
});

describe('send interval from the server', () => {
  it('buffers readings and posts them as one array per interval (GET /api/v1/device)', { timeout: 30_000 }, async () => {
    const res = await fetch(new URL('/api/v1/admin/devices', e2e.api.url), {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'interval-3s', sendIntervalSeconds: 3 }),
    });
    const key = ((await res.json()) as { key: { key: string } }).key.key;
    // Real time: 7 telegrams at 1 s; a flush every 3 s carries several of them.
    const r = await runDeviceSim(['--source', P1_CAPTURE, '--post', 'json', '--url', e2e.api.url, '--key', key, '--count', '7', '--jitter', '0']);
    e2e.dirs.push(r.dir);
    expect(r.summary).toMatchObject({ readings: 7, acknowledged: 7, rejected: {}, pending: 0 });
    expect(r.summary.requests).toBeLessThanOrEqual(4);
    expect((await storedReadings(e2e.t.db, 'interval-3s')).length).toBe(7);
  });
});
