import type { FastifyInstance } from 'fastify';
import { QUANTITY_COLUMNS } from '@sem/db';
import { ApiError } from '../errors/api-error.ts';
import { fromJson, parseIsoTime, QUANTITY_NAMES, type JsonReading } from '@sem/ingest';
import { queryReadings, type ReadingOut } from './readings.repository.ts';
import { getReadingsSchema, postReadingsSchema, type Resolution } from './readings.schemas.ts';
import { requestIdentity } from '../http/request-identity.ts';

function toCsv(readings: ReadingOut[]): string {
  const used = QUANTITY_NAMES.filter((n) => readings.some((r) => r[n] !== undefined));
  const withSamples = readings.some((r) => r.samples !== undefined);
  const header = ['time', ...(withSamples ? ['samples'] : []), ...used];
  const lines = readings.map((r) => [r.time, ...(withSamples ? [String(r.samples ?? '')] : []), ...used.map((n) => (r[n] === undefined ? '' : String(r[n])))].join(','));
  return `${[header.join(','), ...lines].join('\r\n')}\r\n`;
}

export async function readingsRoutes(app: FastifyInstance, opts: { maxReadingsPerRequest: number }): Promise<void> {
  // JSON only: text bodies get 415 here instead of a confusing 400.
  app.removeContentTypeParser('text/plain');

  app.post<{ Body: JsonReading[] }>(
    '/api/v1/readings',
    {
      schema: postReadingsSchema(opts.maxReadingsPerRequest),
      preValidation: [
        app.authenticateDevice('bearer'),
        // One reading or an array: normalize to an array so paths in errors read body/<index>/<field>.
        async (request) => {
          if (request.body !== null && typeof request.body === 'object' && !Array.isArray(request.body)) {
            request.body = [request.body as JsonReading];
          }
        },
      ],
    },
    async (request, reply) => {
      const receivedAt = new Date();
      const result = await app.ingest.ingest(request.device!, request.body.map(fromJson), 'json', receivedAt, requestIdentity(request));
      return reply.code(201).send(result);
    },
  );

  app.get<{ Querystring: { from: string; to: string; resolution: Resolution; format: 'json' | 'csv' } }>(
    '/api/v1/readings',
    { schema: getReadingsSchema, preValidation: app.authenticateDevice('bearer') },
    async (request, reply) => {
      const { resolution, format } = request.query;
      const from = parseIsoTime(request.query.from);
      const to = parseIsoTime(request.query.to);
      for (const [name, t] of [['from', from], ['to', to]] as const) {
        if (Number.isNaN(t.getTime())) throw new ApiError('bad_request', `querystring/${name} is not a calendar-valid time`, { details: { path: `querystring/${name}` } });
      }
      if (!(to > from)) throw new ApiError('bad_request', 'querystring/to must be after from', { details: { path: 'querystring/to' } });
      const device = request.device!;
      const { readings, truncated } = await queryReadings(app.db, device, from, to, resolution);
      if (format === 'csv') {
        reply.header('x-sem-truncated', String(truncated));
        return reply.type('text/csv; charset=utf-8').send(toCsv(readings));
      }
      return { device: device.name, resolution, from: from.toISOString(), to: to.toISOString(), truncated, readings };
    },
  );
}

/** Exported for docs/tests: the column behind each JSON field. */
export const JSON_FIELD_COLUMNS = Object.fromEntries(QUANTITY_NAMES.map((n) => [n, QUANTITY_COLUMNS[n].column]));
