/**
 * What the run's global setup (test/setup/global-setup.ts) hands every test worker through vitest's
 * provide/inject: the one MariaDB server of the run and, when no local mosquitto binary serves, the
 * one container the broker tests start their brokers in.
 */
import type { DbConnectionConfig } from '../connection.ts';

/** Label on every container a run starts; the end-of-run check and the reaper find them by it. */
export const TEST_RUN_LABEL = 'org.sem.test-run';
/** Environment marker every process of a run inherits; the end-of-run check finds leftovers by it. */
export const TEST_RUN_ENV = 'SEM_TEST_RUN';

export interface ProvidedMariadb {
  server: DbConnectionConfig;
  /** How it was chosen: SEM_TEST_MARIADB_URL, the local server, or a container of this run. */
  source: 'url' | 'local' | 'container';
}

export interface ProvidedBrokerHost {
  /** Container the broker tests run their mosquitto in (the run's temp folder is mounted at the same path). */
  containerId: string;
  host: string;
  /** Container port → host port, for the listeners a test may open. */
  ports: Record<string, number>;
  /** Folder where tests claim a port (one sub-folder per claimed port). */
  claimDir: string;
}

export type BrokerChoice = { kind: 'local'; binary: string } | { kind: 'container'; host: ProvidedBrokerHost } | { kind: 'none'; reason: string };

declare module 'vitest' {
  export interface ProvidedContext {
    semTestMariadb: ProvidedMariadb;
    semTestBroker: BrokerChoice;
  }
}
