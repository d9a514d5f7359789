import { QUANTITY_COLUMNS } from '@sem/db';
import { DEVICE_SECURITY } from '../http/security.ts';
import { ISO_WITH_OFFSET, jsonReadingsSchema, QUANTITY_NAMES } from '@sem/ingest';
import { errorResponses } from '../errors/api-error.ts';

export function postReadingsSchema(maxItems: number) {
  return {
    summary: 'Store one reading or a batch of readings (JSON)',
    tags: ['ingest'],
    security: DEVICE_SECURITY,
    description: 'The body is one reading object or an array of them (a device that buffered sends them at once).',
    body: jsonReadingsSchema(maxItems),
    response: { 201: { $ref: 'IngestResult#' }, ...errorResponses(400, 401, 413, 415, 422, 429, 503) },
  };
}

export const RESOLUTIONS = { raw: 0, '1m': 60, '15m': 900, '1h': 3600, '1d': 86400 } as const;
export type Resolution = keyof typeof RESOLUTIONS;

export const getReadingsQuerySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['from', 'to'],
  properties: {
    from: { type: 'string', pattern: ISO_WITH_OFFSET },
    to: { type: 'string', pattern: ISO_WITH_OFFSET },
    resolution: { type: 'string', enum: Object.keys(RESOLUTIONS), default: 'raw' },
    format: { type: 'string', enum: ['json', 'csv'], default: 'json' },
    // Query strings are not coerced (JSON_SCHEMA_OPTIONS): a whole number as text, 1..10000 checked by the route.
    limit: { type: 'string', pattern: '^[1-9][0-9]{0,4}$', default: '10000', description: 'readings per page, 1..10000; the rest follows through `next`' },
  },
} as const;

/** What a rollup bucket's `used` may hold: consumption of each register, and gas and water in m³. */
const USED_NAMES = [...QUANTITY_NAMES.filter((n) => QUANTITY_COLUMNS[n].kind === 'counter'), 'gasM3', 'waterM3'];

const readingOutProperties = Object.fromEntries(QUANTITY_NAMES.map((name) => [name, { type: 'number' }]));

export const getReadingsSchema = {
  summary: "The authenticated device's own readings, raw or aggregated",
  description:
    'Aggregates: instantaneous quantities are averaged, cumulative registers and counters take the last (maximum) value. ' +
    'Buckets start at UTC multiples of the resolution, except 1d which follows the device\'s local day. format=csv returns text/csv. ' +
    'Older than the raw retention (or than the device\'s oldest raw reading), buckets come from the rollups (raw: minutes) with averages, min, max and the energy used per bucket. ' +
    'Long answers come in pages: follow `next` (JSON) or the Link rel="next" header (CSV).',
  tags: ['readings'],
  security: DEVICE_SECURITY,
  querystring: getReadingsQuerySchema,
  response: {
    200: {
      type: 'object',
      required: ['device', 'resolution', 'from', 'to', 'readings'],
      properties: {
        device: { type: 'string' },
        resolution: { type: 'string' },
        from: { type: 'string', format: 'date-time' },
        to: { type: 'string', format: 'date-time' },
        truncated: { type: 'boolean', description: 'true when `next` is set' },
        next: { type: ['string', 'null'], description: 'URL of the next page (the same query from where this page stopped), null on the last page' },
        readings: {
          type: 'array',
          items: {
            type: 'object',
            required: ['time'],
            properties: {
              time: { type: 'string', format: 'date-time' },
              samples: { type: 'integer' },
              source: { type: 'string', enum: ['rollup'], description: 'set on buckets read from the rollups (older than the raw retention)' },
              ...readingOutProperties,
              min: { type: 'object', properties: readingOutProperties },
              max: { type: 'object', properties: readingOutProperties },
              used: { type: 'object', properties: Object.fromEntries(USED_NAMES.map((n) => [n, { type: 'number' }])) },
            },
          },
        },
      },
    },
    ...errorResponses(400, 401, 429, 503),
  },
};
