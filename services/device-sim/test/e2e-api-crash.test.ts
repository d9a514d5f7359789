import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@sem/db/testing';
import { ADMIN_TOKEN, TEST_DB_PREFIX, cleanup, expectEveryReadingStoredOnce, runDeviceSim } from './e2e-harness.ts';
import { freePort, killHard, spawnApi, type ApiProcess } from './api-process.ts';
import { p1Fixture } from './fixtures.ts';

/**
 * The ingest API is SIGKILLed mid-run and started again on the same port: the device keeps its
 * readings in the outbox, retries with backoff, and every reading is stored exactly once.
 */
let t: TestDatabase;
let api: ApiProcess | undefined;
const dirs: string[] = [];

beforeAll(async () => {
  t = await createTestDatabase(TEST_DB_PREFIX);
  await t.clear();
});
afterAll(async () => {
  if (api) await killHard(api);
  await t?.destroy();
  for (const d of dirs) cleanup(d);
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('ingest API killed and restarted mid-run', () => {
  it('loses nothing and stores nothing twice', { timeout: 90_000 }, async () => {
    const port = await freePort();
    api = await spawnApi(t.connection, port);
    // 5 minutes of meter time at 40x: about 7.5 s of real time, one telegram every 25 ms.
    const run = runDeviceSim([
      '--source', p1Fixture('dp_v5_iskra'), '--post', 'json', '--url', api.url, '--admin-token', ADMIN_TOKEN,
      '--devices', '2', '--name-prefix', 'crash', '--speed', '40', '--duration', '5m', '--batch-interval', '200ms',
      '--batch-max', '20', '--backoff-base', '100ms', '--backoff-max', '1s', '--request-timeout', '2s', '--jitter', '0.2',
    ]);
    await sleep(2000);
    await killHard(api);
    await sleep(1500);
    api = await spawnApi(t.connection, port);
    await sleep(1000);
    await killHard(api);
    await sleep(1000);
    api = await spawnApi(t.connection, port);
    const r = await run;
    dirs.push(r.dir);
    expect(r.summary.networkErrors).toBeGreaterThan(0);
    await expectEveryReadingStoredOnce(t.db, r, 295);
  });
});
