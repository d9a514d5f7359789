/**
 * Vitest global setup: runs once per `vitest run`, before any worker.
 * - Gives the run its own temp folder (TMPDIR for every worker and child) and an id that every process
 *   inherits (SEM_TEST_RUN) and every container carries as a label; and one Node compile cache for the
 *   Node processes the tests start (NODE_COMPILE_CACHE; a child given its own env gets these from childRunEnv).
 * - Chooses the one MariaDB of the run (db/src/testing/test-server.ts, SEM_TEST_DB) and, for the broker
 *   tests, a local mosquitto or one container to run brokers in; hands both to the workers (provide).
 * - At the end, on failure too: stops its containers, then fails the run if any process, container or
 *   temp folder of the run is left (leak-check.ts).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, constants, mkdirSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { chooseTestServer, containerEngineReason, removeRunContainers, TEST_RUN_ENV, testDbMode, type BrokerChoice, type ChosenServer } from '@sem/db/testing';
import type { TestProject } from 'vitest/node';
import { startBrokerHost, type BrokerHost } from './broker-host.ts';
import { checkLeaks } from './leak-check.ts';
import { MARIADB_IMAGE } from './pinned-images.ts';

const COMPILE_CACHE_ENV = 'NODE_COMPILE_CACHE';
const REAPER = resolve(import.meta.dirname, '../../db/src/testing/container-reaper.ts');

function localMosquitto(): string | undefined {
  const dirs = [...(process.env['PATH'] ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin'];
  for (const dir of dirs.filter(Boolean)) {
    try {
      accessSync(join(dir, 'mosquitto'), constants.X_OK);
      return join(dir, 'mosquitto');
    } catch {
      // not here
    }
  }
  return undefined;
}

async function chooseBroker(runId: string, runTmp: string, bookkeeping: string): Promise<{ choice: BrokerChoice; host?: BrokerHost }> {
  const binary = testDbMode() === 'container' ? undefined : localMosquitto();
  if (binary) return { choice: { kind: 'local', binary } };
  const noEngine = await containerEngineReason();
  if (noEngine) return { choice: { kind: 'none', reason: `no mosquitto binary on this machine and ${noEngine}` } };
  const host = await startBrokerHost(runId, runTmp, bookkeeping);
  return { choice: { kind: 'container', host: host.provided }, host };
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const runId = randomBytes(6).toString('hex');
  const previousTmp = process.env['TMPDIR'];
  const runTmp = realpathSync(mkdtempSync(join(tmpdir(), 'sem-test-run-')));
  const bookkeeping = join(runTmp, '.run');
  mkdirSync(bookkeeping);
  // Our reaper does Ryuk's job on every engine; Ryuk's image cannot even be pulled where no registry answers.
  process.env['TESTCONTAINERS_RYUK_DISABLED'] ??= 'true';
  const reaper = spawn(process.execPath, [REAPER, String(process.pid), runId], { detached: true, stdio: 'ignore' });
  reaper.unref();
  process.env['TMPDIR'] = runTmp;
  process.env[TEST_RUN_ENV] = runId;
  // Node children the tests start (CLIs, services) compile the same TypeScript graph: once per run, not per process.
  // On a loaded host that CPU is what made CLI-heavy tests time out (README, Test).
  const ownCompileCache = process.env[COMPILE_CACHE_ENV] === undefined;
  if (ownCompileCache) process.env[COMPILE_CACHE_ENV] = join(bookkeeping, 'node-compile-cache');

  const restoreTmp = () => {
    if (previousTmp === undefined) delete process.env['TMPDIR'];
    else process.env['TMPDIR'] = previousTmp;
    if (ownCompileCache) delete process.env[COMPILE_CACHE_ENV];
  };
  let mariadb: ChosenServer | undefined;
  let brokerHost: BrokerHost | undefined;
  const stopAll = async () => {
    await Promise.allSettled([brokerHost?.stop(), mariadb?.stop()]);
  };
  try {
    mariadb = await chooseTestServer(MARIADB_IMAGE, runId);
    const broker = await chooseBroker(runId, runTmp, bookkeeping);
    brokerHost = broker.host;
    project.provide('semTestMariadb', { server: mariadb.server, source: mariadb.source });
    project.provide('semTestBroker', broker.choice);
    const s = mariadb.server;
    const brokerSays = broker.choice.kind === 'local' ? broker.choice.binary : broker.choice.kind === 'container' ? 'one container' : `none (${broker.choice.reason})`;
    console.log(`test run ${runId}: MariaDB ${mariadb.source} ${s.host}:${s.port}; broker ${brokerSays}; temp ${runTmp}`);
  } catch (error) {
    await stopAll();
    // A container whose start failed half-way is not in hand; its label finds it.
    await removeRunContainers(runId).catch(() => []);
    reaper.kill();
    restoreTmp();
    rmSync(runTmp, { recursive: true, force: true });
    throw error;
  }

  return async () => {
    await stopAll();
    reaper.kill();
    restoreTmp();
    const usedContainers = mariadb?.source === 'container' || brokerHost !== undefined;
    const leaks = await checkLeaks(runId, runTmp, bookkeeping, usedContainers);
    if (leaks.length === 0) return;
    // Vitest only prints a teardown error; the exit code is what makes the run fail.
    process.exitCode = 1;
    throw new Error(`the test run left ${leaks.length} thing(s) behind (now removed):\n  ${leaks.join('\n  ')}`);
  };
}
