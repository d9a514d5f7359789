/** The PUT body's JSON schema, compiled as Fastify compiles it, for callers outside HTTP (the CLI). */
import AjvCompiler from '@fastify/ajv-compiler';
import { ApiError } from '../../errors/api-error.ts';
import { JSON_SCHEMA_OPTIONS } from '@sem/ingest';
import { tariffInputSchema } from './tariffs.schemas.ts';
import type { TariffInput } from './tariffs.service.ts';

const compile = AjvCompiler()({}, { customOptions: JSON_SCHEMA_OPTIONS });
// At run time the compiler takes Fastify's route definition (its .d.ts says a bare schema).
const route = { schema: tariffInputSchema, method: 'PUT', url: '/api/v1/admin/devices/:id/tariffs/:validFrom', httpPart: 'body' };
const validate = compile(route as unknown as Parameters<typeof compile>[0]);

export function validateTariffInput(input: unknown): TariffInput {
  if (validate(input)) return input as TariffInput;
  const e = (validate as unknown as { errors?: { instancePath: string; message?: string }[] }).errors?.[0];
  throw new ApiError('bad_request', `${e?.instancePath || 'tariff'} ${e?.message ?? 'is invalid'}`, { details: { path: e?.instancePath ?? '' } });
}
