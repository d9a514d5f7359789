/**
 * The API on its three ports, for real: HTTPS with a certificate from the set-up's local CA
 * (deploy/mosquitto/gen-certs.sh, as deploy/setup.sh makes it), plain HTTP that can be switched off,
 * and the internal ops port that alone serves /metrics and /docs/json without the admin token.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDatabase } from '@sem/db/testing';
import { buildApp } from '../src/app.ts';
import { ConfigError } from '../src/config.ts';
import { startListeners, type Listeners } from '../src/http/listeners.ts';
import { ADMIN_TOKEN, addDevice, openTestDatabase, testConfig } from './test-app.ts';

const hasOpenssl = spawnSync('openssl', ['version']).status === 0;
const genCerts = join(import.meta.dirname, '../../../deploy/mosquitto/gen-certs.sh');

/** A request over TLS trusting only `ca` (undefined: the system's CAs); resolves status and body. */
function overTls(port: number, path: string, ca: string | undefined, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', port, path, method: init.method ?? 'GET', headers: init.headers, ca }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d)).on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

/** A cleared test database and a folder with the set-up's TLS material: https/{ca.crt,server.crt,server.key}. */
async function databaseAndCerts(): Promise<{ t: TestDatabase; dir: string }> {
  const t = await openTestDatabase();
  await t.clear();
  const dir = mkdtempSync(join(tmpdir(), 'sem-tls-'));
  const made = spawnSync('bash', [genCerts, join(dir, 'https')], { env: { ...process.env, CA_DIR: join(dir, 'ca') }, encoding: 'utf8' });
  expect(made.status, made.stderr).toBe(0);
  return { t, dir };
}

describe.skipIf(!hasOpenssl)('listeners: HTTPS, plain HTTP, ops port', () => {
  let t: TestDatabase;
  let dir: string;
  let ca: string;
  beforeAll(async () => {
    ({ t, dir } = await databaseAndCerts());
    ca = readFileSync(join(dir, 'https/ca.crt'), 'utf8');
  });
  afterAll(async () => {
    await t?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  const tlsEnv = () => ({
    SEM_HTTP_HOST: '127.0.0.1',
    SEM_HTTP_PORT: '0',
    SEM_HTTPS_PORT: '0',
    SEM_OPS_PORT: '0',
    SEM_TLS_CERT_FILE: join(dir, 'https/server.crt'),
    SEM_TLS_KEY_FILE: join(dir, 'https/server.key'),
  });

  async function start(env: Record<string, string>): Promise<Listeners> {
    const app = await buildApp(testConfig(t, env), { logger: false });
    return startListeners(app, testConfig(t, env));
  }

  it('takes readings over HTTPS verified against the local CA, and refuses clients that do not trust it', async () => {
    const l = await start(tlsEnv());
    try {
      const d = await addDevice(t);
      const posted = await overTls(l.ports.https!, '/api/v1/readings', ca, {
        method: 'POST',
        headers: { authorization: `Bearer ${d.key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ time: '2026-11-21T09:00:00Z', powerImportW: 7 }),
      });
      expect(posted.status, posted.body).toBe(201);
      expect(JSON.parse(posted.body).accepted).toBe(1);
      await expect(overTls(l.ports.https!, '/healthz', undefined)).rejects.toThrow(/self-signed|unable to verify|certificate/i);
      // The same routes on the plain port, for readers that cannot do TLS.
      expect((await fetch(`http://127.0.0.1:${l.ports.http}/healthz`)).status).toBe(200);
    } finally {
      await l.close();
    }
  });

  it('serves /metrics and /docs/json on the ops port, and on the device ports only with the admin token', async () => {
    const l = await start(tlsEnv());
    try {
      for (const path of ['/metrics', '/docs/json']) {
        expect((await fetch(`http://127.0.0.1:${l.ports.ops}${path}`)).status, path).toBe(200);
        const plain = await fetch(`http://127.0.0.1:${l.ports.http}${path}`);
        expect(plain.status, path).toBe(401);
        expect(((await plain.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
        expect((await overTls(l.ports.https!, path, ca)).status, path).toBe(401);
        expect((await overTls(l.ports.https!, path, ca, { headers: { authorization: 'Bearer wrong-token-wrong-token-wrong' } })).status).toBe(401);
        expect((await overTls(l.ports.https!, path, ca, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).status, path).toBe(200);
      }
      const text = await (await fetch(`http://127.0.0.1:${l.ports.ops}/metrics`)).text();
      expect(text).toContain('sem_http_requests_total');
    } finally {
      await l.close();
    }
  });

  it('switches plain HTTP off, and refuses a configuration where nothing would listen', async () => {
    const l = await start({ ...tlsEnv(), SEM_HTTP_ENABLED: 'false' });
    try {
      expect(l.ports.http).toBeUndefined();
      expect(Object.keys(l.ports).sort()).toEqual(['https', 'ops']);
      expect((await overTls(l.ports.https!, '/healthz', ca)).status).toBe(200);
    } finally {
      await l.close();
    }
    expect(() => testConfig(t, { SEM_HTTP_ENABLED: 'false' })).toThrow(/SEM_HTTP_ENABLED/);
    expect(() => testConfig(t, { SEM_TLS_CERT_FILE: join(dir, 'https/server.crt') })).toThrow(/SEM_TLS_KEY_FILE/);
    expect(() => testConfig(t, { SEM_TLS_CERT_FILE: join(dir, 'missing.crt'), SEM_TLS_KEY_FILE: join(dir, 'https/server.key') })).toThrow(ConfigError);
    expect(() => testConfig(t, { SEM_TLS_CERT_FILE: genCerts, SEM_TLS_KEY_FILE: join(dir, 'https/server.key') })).toThrow(/not PEM/);
  });
});

describe.skipIf(!hasOpenssl)('device-sim --ca posts over HTTPS', () => {
  let t: TestDatabase;
  let dir: string;
  let l: Listeners;
  beforeAll(async () => {
    ({ t, dir } = await databaseAndCerts());
    const env = { SEM_HTTP_ENABLED: 'false', SEM_HTTP_HOST: '127.0.0.1', SEM_HTTPS_PORT: '0', SEM_TLS_CERT_FILE: join(dir, 'https/server.crt'), SEM_TLS_KEY_FILE: join(dir, 'https/server.key') };
    l = await startListeners(await buildApp(testConfig(t, env), { logger: false }), testConfig(t, env));
  });
  afterAll(async () => {
    await l?.close();
    await t?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  const sim = (key: string, extra: string[]) =>
    new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
      const child = spawn(process.execPath, [
        join(import.meta.dirname, '../../device-sim/src/cli.ts'),
        '--source', join(import.meta.dirname, '../../../packages/meter-protocol/fixtures/dsmr/dp_fluvius_v171.txt'),
        '--post', 'telegram', '--url', `https://127.0.0.1:${l.ports.https}`, '--key', key, '--zone', 'Europe/Brussels',
        '--count', '1', '--interval', '1s', '--drain-timeout', '2s', '--backoff-max', '500ms',
        '--outbox-dir', join(dir, `outbox-${Math.random().toString(36).slice(2)}`), '--quiet', ...extra,
      ], { env: { ...process.env, INIT_CWD: '' } });
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (err += d));
      child.on('close', (code) => resolve({ code, out, err }));
    });

  it('delivers with the local CA, and keeps the reading queued without it', async () => {
    const d = await addDevice(t, { name: 'sim-tls', timeZone: 'Europe/Brussels' });
    const trusted = await sim(d.key, ['--ca', join(dir, 'https/ca.crt')]);
    expect(trusted.code, trusted.err).toBe(0);
    expect(JSON.parse(trusted.out).acknowledged).toBe(1);
    const untrusted = await sim(d.key, []);
    expect(untrusted.code).toBe(3);
    expect(JSON.parse(untrusted.out).acknowledged).toBe(0);
    expect(await t.db.selectFrom('reading').select('device_id').where('device_id', '=', d.id).execute()).toHaveLength(1);
  });
});
