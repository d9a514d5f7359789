import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createKysely, migrateToLatest, type Database, type DbConnectionConfig } from '@sem/db';
import { ADMIN_TOKEN, cleanup, expectEveryReadingStoredOnce, runDeviceSim, startApi, type StartedApi } from './e2e-harness.ts';
import { p1Fixture } from './fixtures.ts';
import { ThrowawayMariadb, throwawayMariadbUnavailable } from './throwaway-mariadb.ts';

/**
 * MariaDB frozen (SIGSTOP) and then killed (SIGKILL) and restarted under a running fleet: the API
 * fails or stalls, the devices retry, and every reading is stored exactly once. This uses a private
 * mariadbd, never the shared server.
 */
let mariadb: ThrowawayMariadb;
let db: Kysely<Database>;
let api: StartedApi;
const dirs: string[] = [];
const unavailable = throwawayMariadbUnavailable();

beforeAll(async () => {
  if (unavailable) return;
  mariadb = await ThrowawayMariadb.create();
  const server: DbConnectionConfig = { host: '127.0.0.1', port: mariadb.port, user: 'root', password: '' };
  const name = `sem_test_sim_${process.env.VITEST_POOL_ID ?? '0'}`;
  const admin = createKysely(server);
  await sql`CREATE DATABASE IF NOT EXISTS ${sql.id(name)}`.execute(admin);
  await admin.destroy();
  const connection = { ...server, database: name };
  db = createKysely(connection);
  await migrateToLatest(db);
  // The API opens its own pool, as in production, so it has to reconnect by itself.
  api = await startApi(connection);
}, 120_000);
afterAll(async () => {
  await api?.app.close();
  await db?.destroy();
  await mariadb?.destroy();
  for (const d of dirs) cleanup(d);
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(unavailable)(`MariaDB frozen, killed and restarted mid-run${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  it('every reading lands exactly once', { timeout: 120_000 }, async () => {
    const run = runDeviceSim([
      '--source', p1Fixture('dp_v5_iskra'), '--post', 'telegram', '--url', api.url, '--admin-token', ADMIN_TOKEN,
      '--devices', '2', '--name-prefix', 'dbdown', '--speed', '40', '--duration', '5m', '--batch-interval', '200ms',
      '--batch-max', '20', '--backoff-base', '100ms', '--backoff-max', '1s', '--request-timeout', '2s', '--drain-timeout', '60s',
    ]);
    await sleep(1500);
    mariadb.freeze();
    await sleep(3000);
    mariadb.thaw();
    await sleep(1000);
    await mariadb.kill();
    await sleep(1500);
    await mariadb.start();
    const r = await run;
    dirs.push(r.dir);
    await expectEveryReadingStoredOnce(db, r, 295);
  });
});
