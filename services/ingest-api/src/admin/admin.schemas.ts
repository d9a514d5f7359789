import { COUNTRY_CODES } from '../devices/country-profiles.ts';

export const deviceViewSchema = {
  $id: 'DeviceView',
  type: 'object',
  required: ['id', 'name', 'timeZone', 'country', 'sendIntervalSeconds', 'hasHanKey', 'hasP1Key', 'meter', 'createdAt', 'keys'],
  properties: {
    id: { type: 'integer' },
    name: { type: 'string' },
    timeZone: { type: 'string' },
    country: { type: 'string' },
    sendIntervalSeconds: { type: 'integer' },
    hasHanKey: { type: 'boolean' },
    hasP1Key: { type: 'boolean' },
    meter: {
      type: 'object',
      description: 'what decoding uses: the device setting, else the country/vendor default; overrides names the device settings',
      required: ['kamstrupEnergyScaler', 'kamstrupCurrentScaler', 'clockPolicy', 'overrides'],
      properties: {
        kamstrupEnergyScaler: { type: 'integer' },
        kamstrupCurrentScaler: { type: 'integer' },
        clockPolicy: { type: ['string', 'null'] },
        overrides: { type: 'array', items: { type: 'string' } },
      },
    },
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
  p1EncryptionKey: { type: ['string', 'null'], pattern: '^[0-9a-fA-F]{32}$', description: 'encrypted P1 (Luxembourg Smarty) AES-128 key (hex); write-only, null removes it' },
  p1AuthenticationKey: { ...hex, description: 'encrypted P1 authentication (AAD) key where the operator has its own; default the Smarty one' },
  kamstrupEnergyScaler: { type: ['integer', 'null'], enum: [0, 1, null], description: 'Kamstrup energy registers: 1 = 10 Wh, 0 = Wh; null: country default (SE, CH: 0)' },
  kamstrupCurrentScaler: { type: ['integer', 'null'], enum: [-2, -3, null], description: 'Kamstrup currents: -2 = 0.01 A, -3 = mA (current-transformer meters); null: -2' },
  clockPolicy: { type: ['string', 'null'], enum: ['deviation', 'local', 'standard', null], description: "HAN meter clock rule; null: the vendor's" },
} as const;

export const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: '^[0-9]{1,5}$' } },
} as const;
