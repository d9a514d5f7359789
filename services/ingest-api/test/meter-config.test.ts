/**
 * What a meter needs, set per device through the admin API and the CLI, and used by every route:
 * Kamstrup scalers (country defaults, a CT meter's mA), the clock rule, and the P1 key of an
 * encrypted Luxembourg Smarty meter (frames encrypted here from a plaintext capture with node:crypto).
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { decodeFrame, decodeTelegrams } from '@sem/meter-protocol';
import { ctMeter, smartyFrame } from '@sem/meter-protocol/testing';
import { p1Captures } from './fixtures.ts';
import { expectStored } from './stored-reading.ts';
import { ADMIN_TOKEN, addDevice, bearer, useTestApp } from './test-app.ts';
import { dbConnectionEnv } from '@sem/db/testing';

const ctx = useTestApp();
const run = promisify(execFile);
const CLI = fileURLToPath(new URL('../src/cli/devices.ts', import.meta.url));
const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
const P1_KEY = '00112233445566778899aabbccddeeff'.split('').reverse().join('');
const PLAIN = p1Captures().find((c) => c.name === 'athom_iskra_am550_dsmr50')!.bytes;

async function cli(...args: string[]): Promise<any> {
  const c = ctx.t.connection;
  const env = { PATH: process.env.PATH ?? '', ...dbConnectionEnv(c) };
  const { stdout } = await run(process.execPath, [CLI, ...args, '--json'], { env });
  return JSON.parse(stdout);
}

describe('meter settings through the admin API and the CLI', () => {
  it('shows country defaults, takes device settings, goes back with null, and never shows a key', async () => {
    const se = await addDevice(ctx.t, { name: 'se', country: 'SE' });
    let res = await ctx.app.inject({ method: 'GET', url: `/api/v1/admin/devices/${se.id}`, headers: admin });
    expect(res.json()).toMatchObject({ hasP1Key: false, meter: { kamstrupEnergyScaler: 0, kamstrupCurrentScaler: -2, clockPolicy: null, overrides: [] } });
    res = await ctx.app.inject({
      method: 'PATCH',
      url: `/api/v1/admin/devices/${se.id}`,
      headers: admin,
      payload: { kamstrupCurrentScaler: -3, clockPolicy: 'standard', p1EncryptionKey: P1_KEY },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ hasP1Key: true, meter: { kamstrupEnergyScaler: 0, kamstrupCurrentScaler: -3, clockPolicy: 'standard', overrides: ['kamstrupCurrentScaler', 'clockPolicy'] } });
    expect(res.body.toLowerCase()).not.toContain(P1_KEY);
    res = await ctx.app.inject({ method: 'PATCH', url: `/api/v1/admin/devices/${se.id}`, headers: admin, payload: { kamstrupCurrentScaler: null, p1EncryptionKey: null } });
    expect(res.json()).toMatchObject({ hasP1Key: false, meter: { kamstrupCurrentScaler: -2, clockPolicy: 'standard', overrides: ['clockPolicy'] } });
  });

  it('refuses scalers, clock rules and keys it cannot use, with the path (400)', async () => {
    const d = await addDevice(ctx.t);
    for (const payload of [{ kamstrupCurrentScaler: -1 }, { kamstrupEnergyScaler: 2 }, { clockPolicy: 'utc' }, { p1EncryptionKey: 'abc' }, { p1AuthenticationKey: P1_KEY }]) {
      const res = await ctx.app.inject({ method: 'PATCH', url: `/api/v1/admin/devices/${d.id}`, headers: admin, payload });
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().error.code).toBe('bad_request');
    }
  });

  it('sets and resets them from the CLI', async () => {
    await cli('add', '--name', 'ct-meter', '--country', 'DK');
    const set = await cli('set-config', '--device', 'ct-meter', '--kamstrup-current-scaler=-3', '--p1-key', P1_KEY, '--clock-policy', 'local');
    expect(set).toMatchObject({ hasP1Key: true, meter: { kamstrupEnergyScaler: 1, kamstrupCurrentScaler: -3, clockPolicy: 'local' } });
    const reset = await cli('set-config', '--device', 'ct-meter', '--kamstrup-current-scaler', 'default', '--p1-key', 'none', '--clock-policy', 'default');
    expect(reset).toMatchObject({ hasP1Key: false, meter: { kamstrupCurrentScaler: -2, clockPolicy: null, overrides: [] } });
    await expect(cli('set-config', '--device', 'ct-meter', '--kamstrup-current-scaler', 'mA')).rejects.toThrow(/kamstrup-current-scaler/);
  }, 90_000); // four CLI processes: each starts Node and a pool (slow on a busy 2-core host)
});

describe('the settings reach the decoders', () => {
  it('a Kamstrup CT meter set to mA stores its currents to the mA and reads them back exactly', async () => {
    const d = await addDevice(ctx.t, { name: 'farm', country: 'DK', timeZone: 'Europe/Copenhagen', kamstrupCurrentScaler: -3 });
    const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/frames', headers: { ...bearer(d.key), 'content-type': 'application/octet-stream' }, payload: Buffer.from(ctMeter) });
    expect(res.statusCode, res.body).toBe(201);
    const want = decodeFrame(ctMeter, { kamstrupCurrentScaler: -3, timeZone: 'Europe/Copenhagen' });
    await expectStored(ctx.t, d.id, want);
    const t = want.meterTime!;
    const got = await ctx.app.inject({ method: 'GET', url: `/api/v1/readings?from=${t.toISOString()}&to=${new Date(t.getTime() + 1000).toISOString()}`, headers: bearer(d.key) });
    expect(got.json().readings[0]).toMatchObject({ currentL1A: 90.999, currentL2A: 93.955, currentL3A: 92.645, powerReactiveImportVar: 63364 });
  });

  describe('encrypted P1 (Luxembourg Smarty)', () => {
    const key = Buffer.from(P1_KEY, 'hex');
    const frame = Buffer.from(smartyFrame(PLAIN, { key }));
    const plain = decodeTelegrams(PLAIN.toString('latin1'), { timeZone: 'Europe/Luxembourg' })[0]!;

    const smarty = () => addDevice(ctx.t, { name: `lux-${Math.random().toString(36).slice(2, 7)}`, country: 'LU', p1EncryptionKey: P1_KEY });

    it('POST /api/v1/telegrams as bytes and as hex stores what the plaintext holds', async () => {
      for (const [type, payload] of [['application/octet-stream', frame], ['text/plain', frame.toString('hex').toUpperCase()]] as const) {
        const d = await smarty();
        const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/telegrams', headers: { ...bearer(d.key), 'content-type': type }, payload });
        expect(res.statusCode, res.body).toBe(201);
        await expectStored(ctx.t, d.id, plain);
      }
    });

    it('the dsmr-reader route takes it too (a datalogger forwarding the raw serial bytes)', async () => {
      const d = await smarty();
      const res = await ctx.app.inject({
        method: 'POST',
        url: '/api/v1/datalogger/dsmrreading',
        headers: { 'x-authkey': d.key, 'content-type': 'application/x-www-form-urlencoded' },
        payload: `telegram=${encodeURIComponent(frame.toString('hex'))}`,
      });
      expect(res.statusCode, res.body).toBe(201);
      await expectStored(ctx.t, d.id, plain);
    });

    it('refuses a wrong key, a wrong tag and a device without a P1 key (422), stores nothing, names no key', async () => {
      const d = await smarty();
      const wrongKey = Buffer.from(smartyFrame(PLAIN, { key: Buffer.alloc(16, 7) }));
      const wrongTag = Buffer.from(frame);
      wrongTag[wrongTag.length - 3]! ^= 0x40;
      for (const body of [wrongKey, wrongTag]) {
        const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/telegrams', headers: { ...bearer(d.key), 'content-type': 'application/octet-stream' }, payload: body });
        expect(res.statusCode).toBe(422);
        expect(res.json().error.code).toBe('decryption_failed');
        expect(res.body.toLowerCase()).not.toContain(P1_KEY);
      }
      const dl = await ctx.app.inject({
        method: 'POST',
        url: '/api/v1/datalogger/dsmrreading',
        headers: { 'x-authkey': d.key, 'content-type': 'application/x-www-form-urlencoded' },
        payload: `telegram=${wrongTag.toString('hex')}`,
      });
      expect(dl.statusCode).toBe(500); // dsmr-reader's class for a telegram that does not parse
      const keyless = await addDevice(ctx.t, { country: 'LU' });
      const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/telegrams', headers: { ...bearer(keyless.key), 'content-type': 'application/octet-stream' }, payload: frame });
      expect(res.statusCode).toBe(422);
      expect(res.json().error).toMatchObject({ code: 'unsupported_input' });
      const rows = await ctx.t.db.selectFrom('reading').select('device_id').where('device_id', 'in', [d.id, keyless.id]).execute();
      expect(rows).toEqual([]);
    });
  });
});
