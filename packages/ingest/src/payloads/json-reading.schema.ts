import { QUANTITY_COLUMNS } from '@sem/db';
import type { QuantityName } from '@sem/meter-protocol';

/** The JSON names of the quantities: the API's field names, one per `reading` column. */
export const QUANTITY_NAMES = Object.keys(QUANTITY_COLUMNS) as QuantityName[];

/** ISO 8601 with an explicit offset (Z or +hh:mm); a time without offset is ambiguous and refused. */
export const ISO_WITH_OFFSET = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?(Z|[+-]\\d{2}:?\\d{2})$';

/**
 * The Ajv options every JSON reading is checked with: no stripping, no coercion, first error only.
 * The HTTP app gives them to Fastify; mqtt-ingest compiles the same schemas with them.
 */
export const JSON_SCHEMA_OPTIONS = { removeAdditional: false, coerceTypes: false, allErrors: false } as const;

const timeSchema = {
  description: 'ISO 8601 with offset, or epoch milliseconds',
  anyOf: [
    { type: 'string', pattern: ISO_WITH_OFFSET },
    { type: 'integer', minimum: 0, maximum: 9_999_999_999_999 },
  ],
} as const;

const quantityProperties = Object.fromEntries(
  QUANTITY_NAMES.map((name) => {
    const spec = QUANTITY_COLUMNS[name];
    return [name, { type: 'number', minimum: spec.min / spec.scale, maximum: spec.max / spec.scale }];
  }),
);

const mbusSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['channel', 'value'],
  properties: {
    channel: { type: 'integer', minimum: 1, maximum: 4 },
    value: { type: 'number', minimum: -99_999_999_999, maximum: 99_999_999_999 },
    unit: { type: 'string', maxLength: 8, description: "'m3', 'GJ', 'kWh'" },
    deviceType: { type: 'integer', minimum: 0, maximum: 255, description: '3 gas, 7 water, 4 heat' },
    equipmentId: { type: 'string', maxLength: 96 },
    capturedAt: timeSchema,
  },
} as const;

/** One JSON reading (POST /api/v1/readings, MQTT `sem/<device>/readings`). */
export const jsonReadingSchema = {
  $id: 'JsonReading',
  type: 'object',
  additionalProperties: false,
  properties: {
    time: timeSchema,
    meterId: { type: 'string', maxLength: 96 },
    ...quantityProperties,
    mbus: { type: 'array', maxItems: 4, items: mbusSchema },
  },
} as const;

/** A batch of JSON readings: 1 to `maxItems` of them. */
export function jsonReadingsSchema(maxItems: number) {
  return { type: 'array', minItems: 1, maxItems, items: { $ref: 'JsonReading#' } } as const;
}
