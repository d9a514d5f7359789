/**
 * One container per run for the broker tests, when no local mosquitto binary serves: the pinned
 * Mosquitto image, idle, with the run's temp folder mounted at the same path and a pool of
 * published ports. Each test file starts its own mosquitto inside it (mosquitto-broker.ts).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startRunContainer, type ProvidedBrokerHost } from '@sem/db/testing';
import type { StartedTestContainer } from 'testcontainers';
import { MOSQUITTO_IMAGE } from './pinned-images.ts';

/**
 * Listener ports a test file may claim inside the container; more files than this wait for one.
 * 1883 is among them because the image exposes it, and testcontainers waits until every exposed port is published.
 */
const CONTAINER_PORTS = [1883, ...Array.from({ length: 11 }, (_, i) => 18830 + i)];
const READY = 'sem broker host ready';

export interface BrokerHost {
  provided: ProvidedBrokerHost;
  stop(): Promise<void>;
}

export async function startBrokerHost(runId: string, runTmp: string, bookkeeping: string): Promise<BrokerHost> {
  const { Wait } = await import('testcontainers');
  const container: StartedTestContainer = await startRunContainer(MOSQUITTO_IMAGE, runId, (c) =>
    c
      .withExposedPorts(...CONTAINER_PORTS)
      .withBindMounts([{ source: runTmp, target: runTmp, mode: 'rw' }])
      // The shell as PID 1 also reaps the brokers the tests start and stop.
      .withCommand(['sh', '-c', `echo '${READY}'; trap 'exit 0' TERM; while :; do sleep 1; done`])
      .withWaitStrategy(Wait.forLogMessage(READY)),
  );
  const claimDir = join(bookkeeping, 'broker-ports');
  mkdirSync(claimDir, { recursive: true });
  return {
    provided: {
      containerId: container.getId(),
      host: container.getHost(),
      ports: Object.fromEntries(CONTAINER_PORTS.map((p) => [String(p), container.getMappedPort(p)])),
      claimDir,
    },
    stop: async () => void (await container.stop({ timeout: 5_000 })),
  };
}
