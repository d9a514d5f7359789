/**
 * The HAN and P1 decryption keys, the device keys and the admin token never appear in a response or in the
 * log, with the production logger at its most verbose, through the admin API, the frames route and the CLI.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDatabase } from '@sem/db/testing';
import { smartyFrame } from '@sem/meter-protocol/testing';
import { corpusAbsent, hanCaptures, needsCorpus, p1Captures } from './fixtures.ts';
import { ADMIN_TOKEN, bearer, openTestDatabase, testApp } from './test-app.ts';
import { dbConnectionEnv } from '@sem/db/testing';

const run = promisify(execFile);
const CLI = fileURLToPath(new URL('../src/cli/devices.ts', import.meta.url));

let t: TestDatabase;
let app: FastifyInstance;
const logLines: string[] = [];
beforeAll(async () => {
  t = await openTestDatabase();
  await t.clear();
  app = await testApp(t, { SEM_LOG_LEVEL: 'trace' }, { logger: undefined, logStream: { write: (line) => void logLines.push(line) } });
});
afterAll(async () => {
  await app?.close();
  await t?.destroy();
});

const encrypted = hanCaptures().find((c) => c.expected?.encryption?.encryption_key && c.expected?.decoded?.obis);

/** Every spelling a hex key could take in text. */
const spellings = (hex: string) => [hex.toLowerCase(), hex.toUpperCase()];

describe('secrets stay out of responses and logs', () => {
  it.skipIf(corpusAbsent('han'))(needsCorpus('admin API, frames route and CLI never show the HAN key, a device key or the admin token', 'han'), async () => {
    const hanKey: string = encrypted!.expected.encryption.encryption_key;
    const authKey: string | undefined = encrypted!.expected.encryption.authentication_key ?? undefined;
    const wrongKey = '00112233445566778899aabbccddeeff';
    const admin = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) =>
      app.inject({ method, url, headers: bearer(ADMIN_TOKEN), ...(payload ? { payload } : {}) });
    const bodies: string[] = [];

    const created = await admin('POST', '/api/v1/admin/devices', { name: 'han-meter', country: 'NO', hanEncryptionKey: hanKey, ...(authKey ? { hanAuthenticationKey: authKey } : {}) });
    expect(created.statusCode, created.body).toBe(201);
    const { device, key } = created.json();
    const other = await admin('POST', '/api/v1/admin/devices', { name: 'wrong-key', hanEncryptionKey: wrongKey });
    // the device key is shown once, in the creation answer; the HAN key never
    const creations = [created.body, other.body];
    expect(created.body).toContain(key.key);
    bodies.push((await admin('GET', '/api/v1/admin/devices')).body);
    bodies.push((await admin('GET', `/api/v1/admin/devices/${device.id}`)).body);
    // a malformed key is refused without being echoed
    const bad = await admin('PATCH', `/api/v1/admin/devices/${device.id}`, { hanEncryptionKey: `${hanKey}0` });
    expect(bad.statusCode).toBe(400);
    bodies.push(bad.body);
    bodies.push((await app.inject({ method: 'GET', url: '/api/v1/device', headers: bearer(key.key) })).body);

    const ok = await app.inject({ method: 'POST', url: '/api/v1/frames', headers: { ...bearer(key.key), 'content-type': 'application/octet-stream' }, payload: encrypted!.bytes });
    expect(ok.statusCode, ok.body).toBe(201);
    const refused = await app.inject({ method: 'POST', url: '/api/v1/frames', headers: { 'x-api-key': other.json().key.key, 'content-type': 'application/octet-stream' }, payload: encrypted!.bytes });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().error.code).toBe('decryption_failed');
    bodies.push(ok.body, refused.body);

    const c = t.connection;
    const env = { PATH: process.env.PATH ?? '', ...dbConnectionEnv(c) };
    const cli = await run(process.execPath, [CLI, 'add', '--name', 'cli-han', '--han-key', hanKey], { env });
    const cliShow = await run(process.execPath, [CLI, 'show', '--device', 'cli-han'], { env });
    expect(cli.stdout).toMatch(/HAN key set/);

    const log = logLines.join('');
    // the logger did write: requests, the rejects and their reasons
    expect(log).toMatch(/"msg":"request completed"/);
    expect(log).toMatch(/"code":"decryption_failed"/);
    const everything = [...bodies, log, cliShow.stdout, cliShow.stderr].join('\n');
    for (const secret of [key.key, other.json().key.key, ADMIN_TOKEN]) {
      expect(everything.includes(secret), `a secret (${secret.slice(0, 4)}…) leaked`).toBe(false);
    }
    const withCreations = [everything, ...creations, cli.stdout, cli.stderr].join('\n');
    for (const secret of [...spellings(hanKey), ...(authKey ? spellings(authKey) : []), ...spellings(wrongKey)]) {
      expect(withCreations.includes(secret), `a HAN key (${secret.slice(0, 4)}…) leaked`).toBe(false);
    }
  });

  it('the encrypted P1 key (Smarty) stays out of answers and logs, also when a frame does not decrypt', async () => {
    const p1Key = '0f1e2d3c4b5a69788796a5b4c3d2e1f0';
    const plain = p1Captures().find((c) => c.name === 'athom_iskra_am550_dsmr50')!.bytes;
    const created = await app.inject({ method: 'POST', url: '/api/v1/admin/devices', headers: bearer(ADMIN_TOKEN), payload: { name: 'smarty', country: 'LU', p1EncryptionKey: p1Key } });
    expect(created.statusCode, created.body).toBe(201);
    const { device, key } = created.json();
    const post = (frame: Uint8Array) =>
      app.inject({ method: 'POST', url: '/api/v1/telegrams', headers: { ...bearer(key.key), 'content-type': 'application/octet-stream' }, payload: Buffer.from(frame) });
    const ok = await post(smartyFrame(plain, { key: Buffer.from(p1Key, 'hex') }));
    expect(ok.statusCode, ok.body).toBe(201);
    const wrong = await post(smartyFrame(plain, { key: Buffer.alloc(16, 9), frameCounter: 2 }));
    expect(wrong.json().error.code).toBe('decryption_failed');
    const shown = await app.inject({ method: 'GET', url: `/api/v1/admin/devices/${device.id}`, headers: bearer(ADMIN_TOKEN) });
    expect(shown.json().hasP1Key).toBe(true);
    const everything = [created.body, ok.body, wrong.body, shown.body, logLines.join('')].join('\n');
    for (const secret of spellings(p1Key)) expect(everything.includes(secret), 'the P1 key leaked').toBe(false);
  });
});
