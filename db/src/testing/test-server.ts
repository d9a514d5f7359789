/**
 * Which MariaDB a test run uses, decided once per run by the global setup:
 *   SEM_TEST_DB=url        SEM_TEST_MARIADB_URL (e.g. mysql://root@127.0.0.1:3306, CI)
 *   SEM_TEST_DB=local      the machine's own server: root without password on 127.0.0.1:3306
 *   SEM_TEST_DB=container  one MariaDB container for the whole run (Docker or Podman)
 *   unset                  the URL when set, else the local server when it answers, else a container
 */
import { createConnection } from 'mysql2/promise';
import { parseMysqlUrl, type DbConnectionConfig } from '../connection.ts';
import { TEST_RUN_LABEL, type ProvidedMariadb } from './provided-context.ts';

export const TEST_DB_MODES = ['url', 'local', 'container'] as const;
export type TestDbMode = (typeof TEST_DB_MODES)[number];

const LOCAL: DbConnectionConfig = { host: '127.0.0.1', port: 3306, user: 'root', password: '' };
const CONTAINER_ROOT_PASSWORD = 'test';

// Test-only environment lookup, kept in the testing helpers.
export function testEnv(name: string): string | undefined {
  const v = process.env[name];
  return v === undefined || v === '' ? undefined : v;
}

export function testDbMode(): TestDbMode | undefined {
  const mode = testEnv('SEM_TEST_DB');
  if (mode === undefined) return undefined;
  if (!(TEST_DB_MODES as readonly string[]).includes(mode)) throw new Error(`SEM_TEST_DB must be one of ${TEST_DB_MODES.join(', ')}; got ${mode}`);
  return mode as TestDbMode;
}

/** The server named by SEM_TEST_MARIADB_URL, without its database. */
export function urlServer(): DbConnectionConfig | undefined {
  const url = testEnv('SEM_TEST_MARIADB_URL');
  if (!url) return undefined;
  const { database: _ignored, ...server } = parseMysqlUrl(url);
  return server;
}

/** A developer machine's own MariaDB (root, empty password, 127.0.0.1:3306), when one answers. */
export async function localServer(): Promise<DbConnectionConfig | undefined> {
  try {
    const conn = await createConnection({ ...LOCAL, connectTimeout: 2000 });
    await conn.end();
    return LOCAL;
  } catch {
    return undefined;
  }
}

export interface ChosenServer extends ProvidedMariadb {
  /** Stops the run's container (a no-op for servers the run did not start). */
  stop(): Promise<void>;
}

/** One MariaDB container for the run, from the pinned image. */
async function containerServer(image: string, runId: string): Promise<ChosenServer> {
  const { MariaDbContainer } = await import('@testcontainers/mariadb');
  let container;
  try {
    container = await new MariaDbContainer(image).withRootPassword(CONTAINER_ROOT_PASSWORD).withLabels({ [TEST_RUN_LABEL]: runId }).start();
  } catch (error) {
    throw new Error(
      `no MariaDB for the tests: set SEM_TEST_MARIADB_URL, run a local server (root without password on 127.0.0.1:3306), ` +
        `or provide Docker or Podman for a ${image} container (README, Test). Container start failed: ${(error as Error).message}`,
      { cause: error },
    );
  }
  return {
    server: { host: container.getHost(), port: container.getPort(), user: 'root', password: CONTAINER_ROOT_PASSWORD },
    source: 'container',
    stop: async () => void (await container.stop()),
  };
}

/** Decides the run's server (see the file comment); `image` is the pinned MariaDB image. */
export async function chooseTestServer(image: string, runId: string): Promise<ChosenServer> {
  const mode = testDbMode();
  const none = async () => {};
  if (mode === 'container') return containerServer(image, runId);
  const url = urlServer();
  if (mode === 'url' || (mode === undefined && url)) {
    if (!url) throw new Error('SEM_TEST_DB=url needs SEM_TEST_MARIADB_URL (e.g. mysql://root@127.0.0.1:3306)');
    return { server: url, source: 'url', stop: none };
  }
  const local = await localServer();
  if (local) return { server: local, source: 'local', stop: none };
  if (mode === 'local') throw new Error('SEM_TEST_DB=local: no MariaDB answers as root without password on 127.0.0.1:3306');
  return containerServer(image, runId);
}
