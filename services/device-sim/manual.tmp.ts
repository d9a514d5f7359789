import { createTestDatabase } from '@sem/db/testing';
import { spawnApi, freePort, killHard } from './test/api-process.ts';
import { spawnSync } from 'node:child_process';
const t = await createTestDatabase('sem_test_sim');
await t.clear();
const api = await spawnApi(t.connection, await freePort());
const r = spawnSync(process.execPath, ['services/device-sim/src/cli.ts', '--source', 'packages/meter-protocol/fixtures/dsmr/dp_v5_iskra.txt',
  '--post', 'json', '--url', api.url, '--admin-token', 'device-sim-e2e-admin-token-0123456789', '--devices', '20', '--name-prefix', 'fleet',
  '--duration', '15s', '--batch-interval', '5s', '--vary', '0.3', '--outbox-dir', '/tmp/simtest/fleet', '--quiet'], { encoding: 'utf8' });
console.log('exit', r.status, r.stdout, r.stderr.slice(-500));
const n = await t.db.selectFrom('reading').select(({ fn }) => fn.countAll().as('n')).executeTakeFirst();
console.log('rows', n);
await killHard(api);
await t.destroy();
