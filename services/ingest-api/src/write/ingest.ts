import type { FastifyInstance } from 'fastify';
import type { Reading } from '@sem/meter-protocol';
import { ApiError } from '../errors/api-error.ts';
import type { AuthDevice } from '../devices/devices.repository.ts';
import { prepareReading, type PreparedReading, type ReadingSource } from './prepared-reading.ts';

export interface ReadingResult {
  index: number;
  status: 'stored' | 'merged' | 'duplicate' | 'rejected';
  /** The meter time used as the key (receive time when the reading carried none), ISO UTC. */
  meterTime: string | null;
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

/** JSON schema of IngestResult, used by every ingest route's 201 response. */
export const ingestResultSchema = {
  $id: 'IngestResult',
  type: 'object',
  required: ['accepted', 'merged', 'duplicates', 'rejected', 'sendIntervalSeconds', 'results'],
  properties: {
    accepted: { type: 'integer', description: 'readings stored as a new row by this request' },
    merged: {
      type: 'integer',
      description: 'readings whose device and meter time were already stored and that filled columns still empty there (e.g. HAN list 3 after list 2 of the same second)',
    },
    duplicates: { type: 'integer', description: 'readings already stored for this device and meter time that added nothing (not an error)' },
    rejected: { type: 'integer', description: 'readings refused; see results[].code' },
    sendIntervalSeconds: { type: 'integer', minimum: 1, description: "the device's configured send interval; apply it at once" },
    results: {
      type: 'array',
      items: {
        type: 'object',
        required: ['index', 'status', 'meterTime'],
        properties: {
          index: { type: 'integer' },
          status: {
            type: 'string',
            enum: ['stored', 'merged', 'duplicate', 'rejected'],
            description: 'merged: the stored row gained the values it lacked; a stored value is never overwritten',
          },
          meterTime: { type: ['string', 'null'], format: 'date-time' },
          code: { type: 'string', enum: ['future_time', 'out_of_range'] },
          message: { type: 'string' },
        },
      },
    },
  },
} as const;

/**
 * The one write path of every ingest route: validate each reading on its own, hand the good ones to
 * the group-commit queue, and answer only after the transaction committed. All rejected -> 422.
 */
export async function ingestReadings(
  app: FastifyInstance,
  device: AuthDevice,
  readings: readonly Reading[],
  source: ReadingSource,
  receivedAt: Date,
): Promise<IngestResult> {
  const results: ReadingResult[] = [];
  const prepared: { index: number; row: PreparedReading }[] = [];
  let timelessIndex = 0;
  readings.forEach((reading, index) => {
    const p = prepareReading(reading, { deviceId: device.id, receivedAt, source, timelessIndex });
    if (reading.meterTime === null) timelessIndex++;
    if ('rejected' in p) {
      results[index] = { index, status: 'rejected', meterTime: reading.meterTime?.toISOString() ?? null, ...p.rejected };
      app.metrics.readingRejects.inc({ reason: p.rejected.code });
      app.rejectCounter?.count(p.rejected.code, device.id);
    } else prepared.push({ index, row: p.ok });
  });
  const outcomes = await app.writeQueue.enqueue(prepared.map((p) => p.row));
  prepared.forEach((p, i) => {
    results[p.index] = { index: p.index, status: outcomes[i]!, meterTime: p.row.meterTime.toISOString() };
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
  app.metrics.readings.inc({ source, outcome: 'stored' }, result.accepted);
  app.metrics.readings.inc({ source, outcome: 'merged' }, result.merged);
  app.metrics.readings.inc({ source, outcome: 'duplicate' }, result.duplicates);
  app.metrics.readings.inc({ source, outcome: 'rejected' }, result.rejected);
  if (result.rejected > 0 && result.rejected === results.length) {
    const first = results[0]!;
    throw new ApiError('reading_rejected', `no reading was stored: ${first.message ?? first.code ?? 'rejected'}`, { details: { ...result } });
  }
  return result;
}
