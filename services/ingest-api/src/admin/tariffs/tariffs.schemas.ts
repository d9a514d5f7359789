import { SERIES_PATTERN } from './energy-prices.repository.ts';
import { PRICE_FORMATS } from './price-file.ts';

/** Bounds that keep every value inside its DECIMAL column (a bigger number is a unit mistake, answered 400). */
const price = { type: 'number', minimum: -9999, maximum: 9999 } as const;
const money = { type: 'number', minimum: 0, maximum: 999_999 } as const;
const nullablePrice = { type: ['number', 'null'], minimum: -9999, maximum: 9999 } as const;

const capacitySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['kind'],
  description: "none; be: €/kW/year on the month's highest quarter-hour (at least minimumKw, default 2.5); no: monthly price per step of the mean of the 3 highest daily peak hours",
  properties: {
    kind: { type: 'string', enum: ['none', 'be', 'no'] },
    pricePerKwYear: money,
    minimumKw: { type: 'number', minimum: 0, maximum: 1000 },
    steps: {
      type: 'array',
      minItems: 1,
      maxItems: 50,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['fromKw', 'monthlyPrice'],
        properties: { fromKw: { type: 'number', minimum: 0, maximum: 99_999 }, monthlyPrice: money },
      },
    },
  },
  if: { properties: { kind: { const: 'be' } } },
  then: { required: ['pricePerKwYear'], not: { required: ['steps'] } },
  else: {
    if: { properties: { kind: { const: 'no' } } },
    then: { required: ['steps'], not: { anyOf: [{ required: ['pricePerKwYear'] }, { required: ['minimumKw'] }] } },
    else: { not: { anyOf: [{ required: ['steps'] }, { required: ['pricePerKwYear'] }, { required: ['minimumKw'] }] } },
  },
} as const;

export const tariffInputSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['importPrices'],
  properties: {
    currency: { type: 'string', pattern: '^[A-Za-z]{3}$', description: 'default EUR' },
    importPrices: {
      type: 'object',
      additionalProperties: false,
      required: ['day'],
      description: 'per kWh; night defaults to day, weekend (Saturday and Sunday, local) to night',
      properties: { day: price, night: nullablePrice, weekend: nullablePrice },
    },
    dayHours: {
      type: 'object',
      additionalProperties: false,
      required: ['start', 'end'],
      description: 'local hours of the day price on weekdays, default 7-22',
      properties: { start: { type: 'integer', minimum: 0, maximum: 23 }, end: { type: 'integer', minimum: 1, maximum: 24 } },
    },
    dynamic: {
      type: ['object', 'null'],
      additionalProperties: false,
      required: ['series'],
      description: 'import price = factor × series price + markup where the series has a price; elsewhere the period price',
      properties: { series: { type: 'string', pattern: SERIES_PATTERN }, factor: { type: 'number', minimum: -9999, maximum: 9999 }, markup: price },
    },
    exportPrice: { ...price, description: 'compensation per exported kWh' },
    fixedMonthlyFee: money,
    capacity: capacitySchema,
  },
} as const;

export const tariffViewSchema = {
  $id: 'TariffView',
  type: 'object',
  required: ['validFrom', 'currency', 'importPrices', 'dayHours', 'dynamic', 'exportPrice', 'fixedMonthlyFee', 'capacity'],
  properties: {
    validFrom: { type: 'string', format: 'date' },
    currency: { type: 'string' },
    importPrices: {
      type: 'object',
      required: ['day', 'night', 'weekend'],
      properties: { day: { type: 'number' }, night: { type: ['number', 'null'] }, weekend: { type: ['number', 'null'] } },
    },
    dayHours: { type: 'object', required: ['start', 'end'], properties: { start: { type: 'integer' }, end: { type: 'integer' } } },
    dynamic: {
      type: ['object', 'null'],
      required: ['series', 'factor', 'markup'],
      properties: { series: { type: 'string' }, factor: { type: 'number' }, markup: { type: 'number' } },
    },
    exportPrice: { type: 'number' },
    fixedMonthlyFee: { type: 'number' },
    capacity: {
      type: 'object',
      required: ['kind'],
      properties: {
        kind: { type: 'string' },
        pricePerKwYear: { type: 'number' },
        minimumKw: { type: 'number' },
        steps: { type: 'array', items: { type: 'object', required: ['fromKw', 'monthlyPrice'], properties: { fromKw: { type: 'number' }, monthlyPrice: { type: 'number' } } } },
      },
    },
  },
} as const;

export const tariffParams = {
  type: 'object',
  required: ['id', 'validFrom'],
  properties: { id: { type: 'string', pattern: '^[0-9]{1,5}$' }, validFrom: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' } },
} as const;

export const seriesParams = {
  type: 'object',
  required: ['series'],
  properties: { series: { type: 'string', pattern: SERIES_PATTERN } },
} as const;

export const priceImportQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    format: { type: 'string', enum: PRICE_FORMATS, description: 'default auto: ENTSO-E XML, ENTSO-E CSV, else time,price' },
    per: { type: 'string', enum: ['kwh', 'mwh'], description: 'unit of a time,price CSV (default kwh)' },
  },
} as const;

export const priceImportSummarySchema = {
  type: 'object',
  required: ['series', 'quarters', 'from', 'to'],
  properties: {
    series: { type: 'string' },
    quarters: { type: 'integer', description: 'quarter-hours written (an hourly price is four)' },
    from: { type: ['string', 'null'], format: 'date-time' },
    to: { type: ['string', 'null'], format: 'date-time' },
  },
} as const;

export const priceListQuery = {
  type: 'object',
  additionalProperties: false,
  required: ['from', 'to'],
  properties: {
    from: { type: 'string', format: 'date-time' },
    to: { type: 'string', format: 'date-time' },
  },
} as const;

export const priceListSchema = {
  type: 'array',
  items: { type: 'object', required: ['startsAt', 'price'], properties: { startsAt: { type: 'string', format: 'date-time' }, price: { type: 'number' } } },
} as const;
