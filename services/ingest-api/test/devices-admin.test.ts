import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { childRunEnv, dbConnectionEnv } from '@sem/db/testing';
import { hashKey } from '@sem/ingest';
import { ADMIN_TOKEN, bearer, useTestApp } from './test-app.ts';

const run = promisify(execFile);
const CLI = fileURLToPath(new URL('../src/cli/devices.ts', import.meta.url));

const ctx = useTestApp();

/**
 * Each CLI run is a fresh Node process compiling the CLI's TypeScript graph: about 0.5 s of CPU on a quiet
 * host, many seconds on a loaded one (2 shared cores at load 30). A test's time limit is this per run.
 */
const PER_CLI_RUN_MS = 30_000;

const admin = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
  ctx.app.inject({ method, url, headers: bearer(ADMIN_TOKEN), ...(payload ? { payload } : {}) });

async function cli(...args: string[]): Promise<any> {
  const c = ctx.t.connection;
  const env = { ...childRunEnv(), ...dbConnectionEnv(c) };
  const { stdout } = await run(process.execPath, [CLI, ...args, '--json'], { env });
  return JSON.parse(stdout);
}

describe('admin HTTP API', () => {
  it('refuses requests without the admin token', async () => {
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/admin/devices' })).statusCode).toBe(401);
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/admin/devices', headers: bearer('x'.repeat(40)) })).statusCode).toBe(401);
  });

  it('creates, configures, rotates and revokes; keys are shown once and stored only as SHA-256', async () => {
    const created = await admin('POST', '/api/v1/admin/devices', { name: 'kitchen', country: 'NL', hanEncryptionKey: '34743677397a24432646294a404e6352' });
    expect(created.statusCode, created.body).toBe(201);
    const { device, key } = created.json();
    expect(device).toMatchObject({ name: 'kitchen', country: 'NL', timeZone: 'Europe/Amsterdam', sendIntervalSeconds: 60, hasHanKey: true });
    expect(key.key).toMatch(/^sem_[A-Za-z0-9_-]{43}$/);
    expect(created.body).not.toContain('34743677397a24432646294a404e6352');
    const stored = await ctx.t.db.selectFrom('device_key').select(['key_hash']).executeTakeFirstOrThrow();
    expect(stored.key_hash.equals(hashKey(key.key))).toBe(true);

    const self = await ctx.app.inject({ method: 'GET', url: '/api/v1/device', headers: bearer(key.key) });
    expect(self.json()).toEqual({ id: device.id, name: 'kitchen', timeZone: 'Europe/Amsterdam', country: 'NL', sendIntervalSeconds: 60, tariffNames: { t1: 'low', t2: 'normal' } });

    const patched = await admin('PATCH', `/api/v1/admin/devices/${device.id}`, { sendIntervalSeconds: 300, timeZone: 'Europe/Brussels', country: 'BE' });
    expect(patched.json()).toMatchObject({ sendIntervalSeconds: 300, timeZone: 'Europe/Brussels', country: 'BE' });
    const self2 = await ctx.app.inject({ method: 'GET', url: '/api/v1/device', headers: bearer(key.key) });
    expect(self2.json().tariffNames).toEqual({ t1: 'day', t2: 'night' });

    const badZone = await admin('PATCH', `/api/v1/admin/devices/${device.id}`, { timeZone: 'Mars/Olympus' });
    expect(badZone.statusCode).toBe(400);
    expect(badZone.json().error.details.path).toBe('timeZone');

    const rotated = await admin('POST', `/api/v1/admin/devices/${device.id}/keys`, { legacyKey: true });
    expect(rotated.statusCode).toBe(201);
    expect(rotated.json().key).toHaveLength(19);
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/device', headers: bearer(key.key) })).statusCode).toBe(401);
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/device', headers: bearer(rotated.json().key) })).statusCode).toBe(200);

    const revoked = await admin('POST', `/api/v1/admin/devices/${device.id}/revoke`, {});
    expect(revoked.json()).toEqual({ revoked: 1 });
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/device', headers: bearer(rotated.json().key) })).statusCode).toBe(401);

    const listed = await admin('GET', '/api/v1/admin/devices');
    expect(listed.json()[0].keys.map((k: { revokedAt: string | null }) => k.revokedAt !== null)).toEqual([true, true]);
    expect(listed.body).not.toMatch(/key_hash|encryption/);
    expect((await admin('POST', '/api/v1/admin/devices', { name: 'kitchen' })).statusCode).toBe(409);
    expect((await admin('DELETE', `/api/v1/admin/devices/${device.id}`)).statusCode).toBe(204);
    expect((await admin('GET', `/api/v1/admin/devices/${device.id}`)).statusCode).toBe(404);
  });
});

describe('devices CLI (node src/cli/devices.ts)', () => {
  it('adds, lists, sets config, rotates and revokes with the service environment', async () => {
    const added = await cli('add', '--name', 'garage', '--legacy-key', '--time-zone', 'Europe/Oslo', '--country', 'no', '--send-interval', '5m');
    expect(added.device).toMatchObject({ name: 'garage', timeZone: 'Europe/Oslo', country: 'NO', sendIntervalSeconds: 300 });
    expect(added.key.key).toHaveLength(19);
    const ok = await ctx.app.inject({ method: 'GET', url: '/api/v1/device', headers: { 'x-api-key': added.key.key } });
    expect(ok.json().sendIntervalSeconds).toBe(300);

    const set = await cli('set-config', '--device', 'garage', '--send-interval', '10s');
    expect(set.sendIntervalSeconds).toBe(10);
    const list = await cli('list');
    expect(list.map((d: { name: string }) => d.name)).toEqual(['garage']);
    const rotated = await cli('rotate-key', '--device', String(added.device.id), '--token');
    expect(rotated.key).toMatch(/^sem_/);
    const revoked = await cli('revoke', '--device', 'garage');
    expect(revoked).toEqual({ revoked: 1 });
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/device', headers: bearer(rotated.key) })).statusCode).toBe(401);
  }, 5 * PER_CLI_RUN_MS);

  it('fails with a message for a bad argument', async () => {
    await expect(cli('set-config', '--device', 'nobody', '--send-interval', '10s')).rejects.toThrow(/no device nobody/);
    await expect(cli('add', '--name', 'x', '--send-interval', '2h')).rejects.toThrow(/send-interval/);
    // a bad environment is named, and the exit code says so
    const bad = await run(process.execPath, [CLI, 'list'], { env: { ...childRunEnv(), SEM_DB_PORT: 'abc' } }).catch((e) => e);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/invalid environment variable SEM_DB_PORT="abc"/);
  }, 3 * PER_CLI_RUN_MS);
});
