import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { createTestDatabase, type TestDatabase, dbConnectionEnv } from '@sem/db/testing';
import { buildApp, type BuildOptions } from '../src/app.ts';
import { loadConfig, type AppConfig } from '../src/config.ts';
import { createDevice, type DeviceConfigInput } from '../src/devices/devices.service.ts';

// Several people run these tests on one server at once: SEM_TEST_DB_PREFIX gives a run its own databases.
export const TEST_DB_PREFIX = process.env.SEM_TEST_DB_PREFIX || 'sem_test_ingest';
export const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';

/** Config as the service would parse it, pointed at the worker's test database. */
export function testConfig(t: TestDatabase, env: Record<string, string> = {}): AppConfig {
  const c = t.connection;
  return loadConfig({
    ...dbConnectionEnv(c),
    SEM_ADMIN_TOKEN: ADMIN_TOKEN,
    SEM_LOG_LEVEL: 'silent',
    SEM_WRITE_LINGER_MS: '2',
    // Rollups in each write transaction, so a test reads them right after its request; the deferred
    // path (the default) is tested in rollups.deferred.test.ts.
    SEM_ROLLUP_FLUSH_MS: '0',
    ...env,
  });
}

export async function testApp(t: TestDatabase, env: Record<string, string> = {}, options: BuildOptions = {}): Promise<FastifyInstance> {
  return buildApp(testConfig(t, env), { logger: false, ...options });
}

export async function openTestDatabase(): Promise<TestDatabase> {
  return createTestDatabase(TEST_DB_PREFIX);
}

export interface TestAppContext {
  readonly t: TestDatabase;
  readonly app: FastifyInstance;
}

/**
 * A test file's database and app: opened before its tests, tables cleared before each test (with
 * `clear`, e.g. rollup tables), closed after. Read `t` and `app` inside hooks and tests only.
 */
export function useTestApp(env: Record<string, string> = {}, clear: readonly string[] = []): TestAppContext {
  // Filled in beforeAll: the fields are undefined until then.
  const ctx = {} as { t: TestDatabase; app: FastifyInstance };
  beforeAll(async () => {
    ctx.t = await openTestDatabase();
    ctx.app = await testApp(ctx.t, env);
  });
  afterAll(async () => {
    await ctx.app?.close();
    await ctx.t?.destroy();
  });
  beforeEach(async () => ctx.t.clear(clear));
  return ctx;
}

export async function addDevice(
  t: TestDatabase,
  input: Partial<DeviceConfigInput> & { name?: string; keyFormat?: 'token' | 'legacy' } = {},
): Promise<{ id: number; key: string; name: string }> {
  const name = input.name ?? `dev-${Math.random().toString(36).slice(2, 8)}`;
  const { device, key } = await createDevice(t.db, { ...input, name });
  return { id: device.id, key: key.key, name };
}

export function bearer(key: string): Record<string, string> {
  return { authorization: `Bearer ${key}` };
}
