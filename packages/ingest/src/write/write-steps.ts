import { createHash } from 'node:crypto';
import { CompiledQuery, type Transaction } from 'kysely';
import type { Database } from '@sem/db';
import type { DeviceState } from './device-states.ts';
import { insertText } from './sql-literal.ts';
import { chunks } from './chunks.ts';
import type { PreparedReading } from './prepared-reading.ts';
import type { WrittenReading } from './reading-merge.ts';

/**
 * A step of the write transaction. It receives the readings of this batch that added something:
 * `outcome: 'stored'` (a new row, all its columns) or `'merged'` (`columns` holds only the NULL columns it
 * filled in a stored row); plain duplicates are left out. It runs inside the same transaction: if it
 * throws, nothing is stored. Add one with `writeQueue.addStep(step)` (e.g. a rollup table).
 */
export interface WriteStep {
  name: string;
  /** `devices`: each device of the batch as found before the rows were written (zone, newest stored row). */
  run(trx: Transaction<Database>, rows: readonly WrittenReading[], devices: ReadonlyMap<number, DeviceState>): Promise<unknown>;
  /** Optional: called with `run`'s result once the transaction has committed (never after a rollback). */
  committed?(ran: unknown): void;
}


/**
 * Inserts rows of one shape (the first row's keys) as plain SQL text (sql-literal.ts): building Kysely nodes and
 * formatting placeholders per value cost ~20 % of the API for telegrams.
 */
async function insertRecords(
  trx: Transaction<Database>,
  table: string,
  records: readonly Readonly<Record<string, unknown>>[],
  opts: { ignore?: boolean; onDuplicate?: string },
): Promise<void> {
  const columns = Object.keys(records[0]!);
  await trx.executeQuery(CompiledQuery.raw(insertText(table, columns, records.map((r) => columns.map((c) => r[c])), opts)));
}

function uniqueBy<T>(items: T[], key: (t: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const item of items) if (!seen.has(key(item))) seen.set(key(item), item);
  return [...seen.values()];
}

export const mbusStep: WriteStep = {
  name: 'mbus_reading',
  async run(trx, rows) {
    const values = uniqueBy(
      rows.flatMap((r) =>
        r.mbus.map((m) => ({
          device_id: r.deviceId,
          channel: m.channel,
          captured_at: m.capturedAt,
          received_at: r.receivedAt,
          device_type: m.deviceType,
          equipment_id: m.equipmentId,
          value: m.value,
          unit: m.unit,
          valve_position: m.valvePosition,
        })),
      ),
      (v) => `${v.device_id}:${v.channel}:${v.captured_at.getTime()}`,
    );
    for (const part of chunks(values, 2000)) await insertRecords(trx, 'mbus_reading', part, { ignore: true });
  },
};

export const powerFailureStep: WriteStep = {
  name: 'power_failure_event',
  async run(trx, rows) {
    const values = uniqueBy(
      rows.flatMap((r) => r.powerFailures.map((e) => ({ device_id: r.deviceId, ended_at: e.endedAt, duration_s: e.durationS, first_seen_at: r.receivedAt }))),
      (v) => `${v.device_id}:${v.ended_at.getTime()}`,
    );
    for (const part of chunks(values, 5000)) await insertRecords(trx, 'power_failure_event', part, { ignore: true });
  },
};

export const demandPeakStep: WriteStep = {
  name: 'demand_peak',
  async run(trx, rows) {
    const values = uniqueBy(
      rows.flatMap((r) =>
        r.peaks.map((p) => ({ device_id: r.deviceId, peak_at: p.peakAt, demand_w: p.demandW, period_end: p.periodEnd, first_seen_at: r.receivedAt })),
      ),
      (v) => `${v.device_id}:${v.peak_at.getTime()}:${v.period_end?.getTime() ?? ''}`,
    );
    // A running-month peak later reappears in the history with its month boundary: keep the boundary.
    for (const part of chunks(values, 5000)) await insertRecords(trx, 'demand_peak', part, { onDuplicate: '`period_end` = COALESCE(VALUES(`period_end`), `period_end`)' });
  },
};

const RAW_OBJECT_SEEN = '`first_seen_at` = LEAST(`first_seen_at`, VALUES(`first_seen_at`)), `last_seen_at` = GREATEST(`last_seen_at`, VALUES(`last_seen_at`))';

export const rawObjectStep: WriteStep = {
  name: 'raw_object',
  async run(trx, rows) {
    const values = uniqueBy(
      rows.flatMap((r) =>
        r.raw.map((o) => ({
          device_id: r.deviceId,
          obis: o.obis,
          value_hash: createHash('sha256').update(o.value).digest(),
          value: o.value,
          first_seen_at: r.meterTime,
          last_seen_at: r.meterTime,
        })),
      ),
      (v) => `${v.device_id}:${v.obis}:${v.value_hash.toString('hex')}`,
    );
    for (const part of chunks(values, 2000)) await insertRecords(trx, 'raw_object', part, { onDuplicate: RAW_OBJECT_SEEN });
  },
};

const DEVICE_METER_SEEN = [
  '`protocol` = VALUES(`protocol`)',
  ...['header', 'version', 'vendor'].map((c) => `\`${c}\` = COALESCE(VALUES(\`${c}\`), \`${c}\`)`),
  '`last_seen_at` = GREATEST(`last_seen_at`, VALUES(`last_seen_at`))',
].join(', ');

export const deviceMeterStep: WriteStep = {
  name: 'device_meter',
  async run(trx, rows) {
    const latest = new Map<string, PreparedReading>();
    for (const r of rows) {
      if (!r.meter) continue;
      const key = `${r.deviceId}:${r.meter.meterId}`;
      const prev = latest.get(key);
      if (!prev || prev.meterTime < r.meterTime) latest.set(key, r);
    }
    const values = [...latest.values()].map((r) => ({
      device_id: r.deviceId,
      meter_id: r.meter!.meterId,
      protocol: r.meter!.protocol,
      header: r.meter!.header,
      version: r.meter!.version,
      vendor: r.meter!.vendor,
      first_seen_at: r.receivedAt,
      last_seen_at: r.receivedAt,
    }));
    for (const part of chunks(values, 2000)) await insertRecords(trx, 'device_meter', part, { onDuplicate: DEVICE_METER_SEEN });
  },
};

/** The steps after the reading rows themselves, in order. */
export const DEFAULT_WRITE_STEPS: readonly WriteStep[] = [mbusStep, powerFailureStep, demandPeakStep, rawObjectStep, deviceMeterStep];
