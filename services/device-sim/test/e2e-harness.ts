import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, expect } from 'vitest';
import { decodeFrame, decodeTelegram, QUANTITIES, TelegramSplitter, type QuantityName, type Reading } from '@sem/meter-protocol';
import { QUANTITY_COLUMNS, type Database, type DbConnectionConfig } from '@sem/db';
import { createTestDatabase, testDbPrefix, type TestDatabase, dbConnectionEnv } from '@sem/db/testing';
import { buildApp, loadConfig } from '@sem/ingest-api';
import { parseOptions } from '../src/cli/options.ts';
import { runSim } from '../src/fleet/run-sim.ts';
import type { RunSummary } from '../src/stats/run-stats.ts';

/** A real ingest API (the service's own buildApp) listening on a free port, against a test database. */
export const ADMIN_TOKEN = 'device-sim-e2e-admin-token-0123456789';
// SEM_TEST_DB_PREFIX keeps concurrent runs on their own databases (default sem_test_sim).
export const TEST_DB_PREFIX = testDbPrefix('sim');

export function apiEnv(c: DbConnectionConfig, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...dbConnectionEnv(c),
    SEM_ADMIN_TOKEN: ADMIN_TOKEN,
    SEM_LOG_LEVEL: 'silent',
    SEM_RATE_LIMIT_PER_MINUTE: '1000000',
    SEM_DB_CONNECT_TIMEOUT_MS: '2000',
    ...extra,
  };
}

export interface StartedApi {
  app: FastifyInstance;
  url: string;
}

export async function startApi(c: DbConnectionConfig, db?: Kysely<Database>): Promise<StartedApi> {
  const app = await buildApp(loadConfig(apiEnv(c)), { logger: false, ...(db ? { db } : {}) });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, url: address };
}

export interface E2eContext {
  readonly t: TestDatabase;
  readonly api: StartedApi;
  /** Work dirs of the file's runs, removed after its tests. */
  readonly dirs: string[];
}

/** A test file's database (cleared once) and a real API on it, opened before its tests and closed after. Read `t` and `api` inside hooks and tests only. */
export function useE2eApi(): E2eContext {
  // Filled in beforeAll: t and api are undefined until then.
  const ctx = { dirs: [] as string[] } as { t: TestDatabase; api: StartedApi; dirs: string[] };
  beforeAll(async () => {
    ctx.t = await createTestDatabase(TEST_DB_PREFIX);
    await ctx.t.clear();
    ctx.api = await startApi(ctx.t.connection, ctx.t.db);
  });
  afterAll(async () => {
    await ctx.api?.app.close();
    await ctx.t?.destroy();
    for (const d of ctx.dirs) cleanup(d);
  });
  return ctx;
}

/** Nothing pending or rejected after the retries, and every reading each device recorded stored once, in meter-time order, with its values. */
export async function expectEveryReadingStoredOnce(db: Kysely<Database>, r: SimRun, minPerDevice: number): Promise<void> {
  expect(r.summary.pending).toBe(0);
  expect(r.summary.rejected).toEqual({});
  expect(r.summary.retried).toBeGreaterThan(0);
  expect(r.summary.acknowledged).toBe(r.summary.readings);
  for (const [file, bytes] of r.recorded) {
    const sent = decodeRecorded(file, bytes, 'Europe/Brussels');
    expect(sent.length).toBeGreaterThanOrEqual(minPerDevice);
    const stored = await storedReadings(db, file.replace(/\.txt$/, ''));
    expect(stored.map((s) => s.meterTime.getTime())).toEqual(sent.map((s) => s.meterTime!.getTime()));
    expect(stored.map((s) => s.values.energyImportT2Kwh)).toEqual(sent.map((s) => s.values.energyImportT2Kwh));
  }
}

export interface SimRun {
  summary: RunSummary;
  /** Everything the device read and queued, as recorded by --record (one capture file per device). */
  recorded: Map<string, Buffer>;
  dir: string;
}

/** Runs the simulator in-process with command-line flags; the work dir holds its outbox and recording. */
export async function runDeviceSim(args: string[], options: { dir?: string; stop?: AbortSignal } = {}): Promise<SimRun> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'device-sim-e2e-'));
  const opts = parseOptions([...args, '--outbox-dir', join(dir, 'state'), '--record', join(dir, 'recorded'), '--quiet'], {});
  const summary = await runSim(opts, { stderr: process.stderr, log: () => {} }, options.stop ?? new AbortController().signal);
  const recorded = new Map<string, Buffer>();
  const { readdirSync } = await import('node:fs');
  for (const f of readdirSync(join(dir, 'recorded'), { withFileTypes: true })) {
    if (f.isFile()) recorded.set(f.name, readFileSync(join(dir, 'recorded', f.name)));
  }
  return { summary, recorded, dir };
}

export function cleanup(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** The readings in a recorded capture, decoded by the protocol library. */
export function decodeRecorded(name: string, bytes: Buffer, timeZone: string): Reading[] {
  if (name.endsWith('.txt')) return TelegramSplitter.splitAll(bytes).map((t) => decodeTelegram(t, { timeZone }));
  return bytes
    .toString('latin1')
    .split('\n')
    .filter((l) => l.trim())
    .map((hex) => decodeFrame(Uint8Array.from(Buffer.from(hex, 'hex')), { timeZone }));
}

export type StoredRow = { meterTime: Date; values: Partial<Record<QuantityName, number>> };

/** A device's stored readings in meter-time order, as quantities in their canonical units. */
export async function storedReadings(db: Kysely<Database>, deviceName: string): Promise<StoredRow[]> {
  const rows = await sql<Record<string, unknown> & { meter_time: Date }>`
    SELECT r.* FROM reading r JOIN device d ON d.id = r.device_id WHERE d.name = ${deviceName} ORDER BY r.meter_time`.execute(db);
  return rows.rows.map((row) => {
    const values: Partial<Record<QuantityName, number>> = {};
    for (const name of QUANTITIES) {
      const spec = (QUANTITY_COLUMNS as Record<string, { column: string; scale: number }>)[name];
      const v = spec ? row[spec.column] : null;
      if (v !== null && v !== undefined) values[name] = Number(v) / spec!.scale;
    }
    return { meterTime: row.meter_time, values };
  });
}

export async function storedMbus(db: Kysely<Database>, deviceName: string) {
  const rows = await sql<{ channel: number; captured_at: Date; value: string }>`
    SELECT m.channel, m.captured_at, m.value FROM mbus_reading m JOIN device d ON d.id = m.device_id
    WHERE d.name = ${deviceName} ORDER BY m.channel, m.captured_at`.execute(db);
  return rows.rows.map((r) => ({ channel: r.channel, capturedAt: r.captured_at, value: Number(r.value) }));
}

/** Values as the database keeps them: rounded to the column's resolution. */
export function atColumnResolution(name: QuantityName, value: number): number {
  const spec = (QUANTITY_COLUMNS as Record<string, { scale: number }>)[name];
  return spec ? Math.round(value * spec.scale) / spec.scale : value;
}
