import { describe, expect, it } from 'vitest';
import { DeviceKeyCache, type AuthDevice } from '@sem/ingest';
import { revokeKeys, rotateKey, setDeviceConfig } from '../src/devices/devices.service.ts';
import { ADMIN_TOKEN, addDevice, bearer, useTestApp } from './test-app.ts';

const TTL_MS = 400;
const ctx = useTestApp({ SEM_DEVICE_CACHE_TTL_MS: String(TTL_MS) });
const self = (key: string) => ctx.app.inject({ method: 'GET', url: '/api/v1/device', headers: bearer(key) });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('device key cache (SEM_DEVICE_CACHE_TTL_MS)', () => {
  it('refuses a key revoked through the admin API at once, although it was just used', async () => {
    const d = await addDevice(ctx.t);
    expect((await self(d.key)).statusCode).toBe(200);
    const revoked = await ctx.app.inject({ method: 'POST', url: `/api/v1/admin/devices/${d.id}/revoke`, headers: bearer(ADMIN_TOKEN), payload: {} });
    expect(revoked.json()).toEqual({ revoked: 1 });
    expect((await self(d.key)).statusCode).toBe(401);
  });

  it('refuses at once after the functions behind the CLI revoke or rotate in this process, and shows a new config at once', async () => {
    const a = await addDevice(ctx.t);
    expect((await self(a.key)).statusCode).toBe(200);
    await revokeKeys(ctx.t.db, a.id);
    expect((await self(a.key)).statusCode).toBe(401);

    const b = await addDevice(ctx.t, { sendIntervalSeconds: 60 });
    expect((await self(b.key)).json().sendIntervalSeconds).toBe(60);
    await setDeviceConfig(ctx.t.db, b.id, { sendIntervalSeconds: 10 });
    expect((await self(b.key)).json().sendIntervalSeconds).toBe(10);
    const next = await rotateKey(ctx.t.db, b.id);
    expect((await self(b.key)).statusCode).toBe(401);
    expect((await self(next.key)).statusCode).toBe(200);
  });

  it('takes a revoke made by another process (straight in the database) within the TTL', async () => {
    const d = await addDevice(ctx.t);
    expect((await self(d.key)).statusCode).toBe(200);
    await ctx.t.db.updateTable('device_key').set({ revoked_at: new Date() }).where('device_id', '=', d.id).execute();
    // Still trusted from memory: this process was not told.
    expect((await self(d.key)).statusCode).toBe(200);
    await sleep(TTL_MS + 100);
    expect((await self(d.key)).statusCode).toBe(401);
  });

  it('spreads expiries over the last half of the TTL, so a fleet cached at once is not looked up at once', () => {
    let now = 0;
    const cache = new DeviceKeyCache(1000, 1000, () => now);
    const dev = (id: number) => ({ id, name: `d${id}`, timeZone: 'Europe/Brussels', country: 'BE', sendIntervalSeconds: 60, keyId: id, keyFormat: 'token' }) as AuthDevice;
    for (let i = 0; i < 200; i++) cache.set(`k${i}`, dev(i), cache.generation);
    const alive = (t: number) => {
      now = t;
      return Array.from({ length: 200 }, (_, i) => cache.get(`k${i}`)).filter(Boolean).length;
    };
    expect(alive(499)).toBe(200);
    const atThreeQuarters = alive(750);
    expect(atThreeQuarters).toBeGreaterThan(40);
    expect(atThreeQuarters).toBeLessThan(160);
    expect(alive(1000)).toBe(0);
  });

  it('does not store a lookup that started before a device changed', () => {
    let now = 0;
    const cache = new DeviceKeyCache(1000, 2, () => now);
    const dev = (id: number) => ({ id, name: `d${id}`, timeZone: 'Europe/Brussels', country: 'BE', sendIntervalSeconds: 60, keyId: id, keyFormat: 'token' }) as AuthDevice;
    const before = cache.generation;
    cache.dropDevice(1);
    cache.set('k1', dev(1), before);
    expect(cache.get('k1')).toBeUndefined();
    cache.set('k1', dev(1), cache.generation);
    expect(cache.get('k1')?.id).toBe(1);
    now = 1000;
    expect(cache.get('k1')).toBeUndefined();
    // Bounded: the oldest entry goes first.
    for (const k of ['a', 'b', 'c']) cache.set(k, dev(2), cache.generation);
    expect([cache.get('a'), cache.get('b')?.id, cache.get('c')?.id]).toEqual([undefined, 2, 2]);
    expect(cache.size).toBe(2);
  });
});
