import { afterAll, beforeAll, beforeEach } from 'vitest';
import { createTestDatabase, testDbPrefix, type TestDatabase } from '@sem/db/testing';

/** A test file's database: opened before its tests, cleared before each (with `clear`, e.g. rollup tables), closed after. */
export function useTestDatabase(clear: readonly string[] = []): { readonly t: TestDatabase } {
  // Filled in beforeAll: read `t` inside hooks and tests only.
  const ctx = {} as { t: TestDatabase };
  beforeAll(async () => {
    ctx.t = await createTestDatabase(testDbPrefix('ingest'));
  });
  afterAll(async () => ctx.t?.destroy());
  beforeEach(async () => ctx.t.clear(clear));
  return ctx;
}

/** A device row as the admin functions would create it (zone Europe/Brussels unless given). */
export async function addDevice(t: TestDatabase, input: { name?: string; timeZone?: string; country?: string } = {}): Promise<{ id: number; name: string }> {
  const now = new Date();
  const name = input.name ?? `dev-${Math.random().toString(36).slice(2, 8)}`;
  const r = await t.db
    .insertInto('device')
    .values({ name, time_zone: input.timeZone ?? 'Europe/Brussels', country: input.country ?? 'BE', send_interval_s: 10, created_at: now, updated_at: now })
    .executeTakeFirstOrThrow();
  return { id: Number(r.insertId), name };
}
