import type { FastifyInstance } from 'fastify';
import type { Reading } from '@sem/meter-protocol';
import { ApiError } from '../errors/api-error.ts';
import type { AuthDevice } from '../devices/devices.repository.ts';
import { prepareReading, type PreparedReading, type ReadingSource } from './prepared-reading.ts';

export interface ReadingResult {
  index: number;
  status: 'stored' | 'duplicate' | 'rejected';
  /** The meter time used as the key (receive time when the reading carried none), ISO UTC. */
  meterTime: string | null;
  code?: string;
  message?: string;
}

export interface IngestResult {
  accepted: number;
  duplicates: number;
  rejected: number;
  results: ReadingResult[];
}

/** JSON schema of IngestResult, used by every ingest route's 201 response. */
export const ingestResultSchema = {
  $id: 'IngestResult',
  type: 'object',
  required: ['accepted', 'duplicates', 'rejected', 'results'],
  properties: {
    accepted: { type: 'integer', description: 'readings stored by this request' },
    duplicates: { type: 'integer', description: 'readings already stored for this device and meter time (not an error)' },
    rejected: { type: 'integer', description: 'readings refused; see results[].code' },
    results: {
      type: 'array',
      items: {
        type: 'object',
        required: ['index', 'status', 'meterTime'],
        properties: {
          index: { type: 'integer' },
          status: { type: 'string', enum: ['stored', 'duplicate', 'rejected'] },
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
  readings.forEach((reading, index) => {
    const p = prepareReading(reading, { deviceId: device.id, receivedAt, source });
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
  const result = { accepted: count('stored'), duplicates: count('duplicate'), rejected: count('rejected'), results };
  app.metrics.readings.inc({ source, outcome: 'stored' }, result.accepted);
  app.metrics.readings.inc({ source, outcome: 'duplicate' }, result.duplicates);
  app.metrics.readings.inc({ source, outcome: 'rejected' }, result.rejected);
  if (result.rejected > 0 && result.rejected === results.length) {
    const first = results[0]!;
    throw new ApiError('reading_rejected', `no reading was stored: ${first.message ?? first.code ?? 'rejected'}`, { details: { ...result } });
  }
  return result;
}
