import type { Reading } from '@sem/meter-protocol';
import { IngestError } from '../errors/ingest-error.ts';
import type { DeviceSettings } from '../devices/devices.repository.ts';
import { prepareReading, type PreparedReading, type ReadingSource } from './prepared-reading.ts';
import type { TimeWindow } from '../time/meter-time.ts';
import { DEFAULT_IDEMPOTENCY_WINDOWS, requestMark, type IdempotencyWindows, type RequestIdentity } from './request-once.ts';
import type { WriteQueue } from './write-queue.ts';

export interface ReadingResult {
  index: number;
  status: 'stored' | 'merged' | 'duplicate' | 'rejected';
  /** The meter time used as the key (receive time when the reading carried none), ISO UTC. */
  meterTime: string | null;
  /** Why it was rejected; on a reading that was not, a remark (`meter_clock_unset`). */
  code?: string;
  message?: string;
}

export interface IngestResult {
  accepted: number;
  merged: number;
  duplicates: number;
  rejected: number;
  /** The device's configured send interval now, so a device applies a change with its next post. */
  sendIntervalSeconds: number;
  results: ReadingResult[];
}

/** Told what became of the readings of each request (metrics, the rejects rollup). */
export interface IngestObserver {
  readings(source: ReadingSource, outcome: ReadingResult['status'], count: number): void;
  rejected(code: string, deviceId: number): void;
  /** Readings stored at their receive time because the clock they carried is unset or not a date. */
  meterClockUnset(source: ReadingSource, count: number): void;
}

/** The device a request writes for: its id, and its send interval to answer with. */
export type IngestDevice = Pick<DeviceSettings, 'id' | 'sendIntervalSeconds'>;

/** The code of a reading stored at its receive time because its clock is unset or not a date (db/docs/storage.md "Meter times"). */
export const METER_CLOCK_UNSET = 'meter_clock_unset';

function meterClockUnsetMessage(sent: string): string {
  return `the meter clock ${JSON.stringify(sent.slice(0, 64))} is unset or not a date: stored at its receive time`;
}

/** An invalid Date has no ISO text (toISOString throws RangeError). */
function isoOrNull(t: Date | null): string | null {
  return t && !Number.isNaN(t.getTime()) ? t.toISOString() : null;
}

/**
 * The one write path of every adapter: validate each reading on its own, hand the good ones to
 * the group-commit queue, and answer only after the transaction committed. All rejected: IngestError invalid-reading.
 */
export async function ingestReadings(
  queue: WriteQueue,
  device: IngestDevice,
  readings: readonly Reading[],
  source: ReadingSource,
  receivedAt: Date,
  observer?: IngestObserver,
  timeWindow?: TimeWindow,
  identity?: RequestIdentity,
  windows: IdempotencyWindows = DEFAULT_IDEMPOTENCY_WINDOWS,
): Promise<IngestResult> {
  const results: ReadingResult[] = [];
  const prepared: { index: number; row: PreparedReading }[] = [];
  let timelessIndex = 0;
  readings.forEach((reading, index) => {
    const p = prepareReading(reading, { deviceId: device.id, receivedAt, source, timelessIndex, timeWindow });
    if (reading.meterTime === null) timelessIndex++;
    if ('rejected' in p) {
      results[index] = { index, status: 'rejected', meterTime: isoOrNull(reading.meterTime), ...p.rejected };
      observer?.rejected(p.rejected.code, device.id);
    } else prepared.push({ index, row: p.ok });
  });
  const mark = requestMark(identity, prepared.some((p) => p.row.clockless), receivedAt, windows);
  if (mark) for (const p of prepared) p.row.request = mark;
  const outcomes = await queue.enqueue(prepared.map((p) => p.row));
  let unsetClocks = 0;
  prepared.forEach((p, i) => {
    const outcome = outcomes[i]!;
    const meterTime = p.row.meterTime.toISOString();
    const unsetClock = readings[p.index]!.meterClockUnset;
    if (typeof outcome === 'string') {
      const remark = unsetClock === undefined ? {} : { code: METER_CLOCK_UNSET, message: meterClockUnsetMessage(unsetClock) };
      results[p.index] = { index: p.index, status: outcome, meterTime, ...remark };
      if (unsetClock !== undefined && outcome !== 'duplicate') unsetClocks++;
    } else {
      results[p.index] = { index: p.index, status: 'rejected', meterTime, code: 'unstorable', message: outcome.refused };
      observer?.rejected('unstorable', device.id);
    }
  });
  const count = (s: ReadingResult['status']) => results.filter((r) => r.status === s).length;
  const result: IngestResult = {
    accepted: count('stored'),
    merged: count('merged'),
    duplicates: count('duplicate'),
    rejected: count('rejected'),
    sendIntervalSeconds: device.sendIntervalSeconds,
    results,
  };
  observer?.readings(source, 'stored', result.accepted);
  observer?.readings(source, 'merged', result.merged);
  observer?.readings(source, 'duplicate', result.duplicates);
  observer?.readings(source, 'rejected', result.rejected);
  if (unsetClocks > 0) observer?.meterClockUnset(source, unsetClocks);
  if (result.rejected > 0 && result.rejected === results.length) {
    const first = results[0]!;
    throw new IngestError('invalid-reading', `no reading was stored: ${first.message ?? first.code ?? 'rejected'}`, { details: { ...result } });
  }
  return result;
}
