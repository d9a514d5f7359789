import type { FastifyInstance } from 'fastify';
import { QUANTITY_COLUMNS } from '@sem/db';
import { ApiError } from '../errors/api-error.ts';
import { fromJson, parseIsoTime, QUANTITY_NAMES, type JsonReading } from '@sem/ingest';
import { MAX_ROWS, queryReadings } from './readings.repository.ts';
import type { ReadingOut } from './reading-out.ts';
import { getReadingsSchema, postReadingsSchema, type Resolution } from './readings.schemas.ts';
import { requestIdentity } from '../http/request-identity.ts';

/** CSV columns: time, samples, source, the quantities, then min.<q>, max.<q> and used.<q> where any row has them. */
function toCsv(readings: ReadingOut[]): string {
  const flat = readings.map((r) => {
    const { min, max, used, ...top } = r;
    const row: Record<string, unknown> = { ...top };
    for (const [prefix, group] of [['min', min], ['max', max], ['used', used]] as const) {
      for (const [k, v] of Object.entries(group ?? {})) row[`${prefix}.${k}`] = v;
    }
    return row;
  });
  const present = new Set(flat.flatMap((r) => Object.keys(r)));
  const order = ['time', 'samples', 'source', ...QUANTITY_NAMES];
  const rest = [...present].filter((k) => !order.includes(k)).sort((a, b) => a.localeCompare(b));
  const header = [...order.filter((k) => present.has(k)), ...rest];
  const lines = flat.map((r) => header.map((k) => (r[k] === undefined ? '' : String(r[k]))).join(','));
  return `${[header.join(','), ...lines].join('\r\n')}\r\n`;
}

type ReadingsQuery = { from: string; to: string; resolution: Resolution; format: 'json' | 'csv'; limit: string };

function nextUrl(q: ReadingsQuery, next: Date): string {
  const params = new URLSearchParams({ from: next.toISOString(), to: new Date(q.to).toISOString(), resolution: q.resolution, format: q.format, limit: String(q.limit) });
  return `/api/v1/readings?${params}`;
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

  app.get<{ Querystring: ReadingsQuery }>(
    '/api/v1/readings',
    { schema: getReadingsSchema, preValidation: app.authenticateDevice('bearer') },
    async (request, reply) => {
      const { resolution, format } = request.query;
      const limit = Number(request.query.limit);
      if (limit > MAX_ROWS) throw new ApiError('bad_request', `querystring/limit must be at most ${MAX_ROWS}`, { details: { path: 'querystring/limit' } });
      const from = parseIsoTime(request.query.from);
      const to = parseIsoTime(request.query.to);
      for (const [name, t] of [['from', from], ['to', to]] as const) {
        if (Number.isNaN(t.getTime())) throw new ApiError('bad_request', `querystring/${name} is not a calendar-valid time`, { details: { path: `querystring/${name}` } });
      }
      if (!(to > from)) throw new ApiError('bad_request', 'querystring/to must be after from', { details: { path: 'querystring/to' } });
      const device = request.device!;
      const { readings, next } = await queryReadings(app.db, device, from, to, resolution, limit);
      const url = next ? nextUrl(request.query, next) : null;
      if (format === 'csv') {
        reply.header('x-sem-truncated', String(url !== null));
        if (url) reply.header('link', `<${url}>; rel="next"`);
        return reply.type('text/csv; charset=utf-8').send(toCsv(readings));
      }
      return { device: device.name, resolution, from: from.toISOString(), to: to.toISOString(), truncated: url !== null, next: url, readings };
    },
  );
}

/** Exported for docs/tests: the column behind each JSON field. */
export const JSON_FIELD_COLUMNS = Object.fromEntries(QUANTITY_NAMES.map((n) => [n, QUANTITY_COLUMNS[n].column]));
