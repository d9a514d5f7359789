import { COUNTRY_CODES } from '../devices/country-profiles.ts';

export const deviceViewSchema = {
  $id: 'DeviceView',
  type: 'object',
  required: ['id', 'name', 'timeZone', 'country', 'sendIntervalSeconds', 'hasHanKey', 'createdAt', 'keys'],
  properties: {
    id: { type: 'integer' },
    name: { type: 'string' },
    timeZone: { type: 'string' },
    country: { type: 'string' },
    sendIntervalSeconds: { type: 'integer' },
    hasHanKey: { type: 'boolean' },
    createdAt: { type: 'string', format: 'date-time' },
    keys: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'format', 'hint', 'createdAt', 'revokedAt'],
        properties: {
          id: { type: 'integer' },
          format: { type: 'string', enum: ['token', 'legacy'] },
          hint: { type: 'string' },
          createdAt: { type: 'string', format: 'date-time' },
          revokedAt: { type: ['string', 'null'], format: 'date-time' },
        },
      },
    },
  },
} as const;

export const issuedKeySchema = {
  $id: 'IssuedKey',
  type: 'object',
  required: ['id', 'format', 'key'],
  properties: {
    id: { type: 'integer' },
    format: { type: 'string', enum: ['token', 'legacy'] },
    key: { type: 'string', description: 'shown once; only its SHA-256 is stored' },
  },
} as const;

const hex = { type: ['string', 'null'], pattern: '^([0-9a-fA-F]{32}|[0-9a-fA-F]{64})$' } as const;

export const deviceConfigProperties = {
  timeZone: { type: 'string', maxLength: 64, description: 'IANA zone, default Europe/Brussels' },
  country: { type: 'string', enum: COUNTRY_CODES, description: 'tariff naming profile, default BE' },
  sendIntervalSeconds: { type: 'integer', minimum: 1, maximum: 3600 },
  hanEncryptionKey: { ...hex, description: 'HAN AES-GCM key (hex); write-only, null removes it' },
  hanAuthenticationKey: { ...hex, description: 'HAN authentication key (hex); write-only' },
} as const;

export const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: '^[0-9]{1,5}$' } },
} as const;
