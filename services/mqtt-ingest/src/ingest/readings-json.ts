import AjvCompiler from '@fastify/ajv-compiler';
import type { Reading } from '@sem/meter-protocol';
import { fromJson, JSON_SCHEMA_OPTIONS, jsonReadingSchema, jsonReadingsSchema, type JsonReading } from '@sem/ingest';
import type { UploadOutcome } from './upload-outcome.ts';

/**
 * `sem/<device>/readings`: the body of POST /api/v1/readings (one reading or an array), checked by
 * the same JSON schema through the same compiler Fastify uses, then converted by the same fromJson.
 */
export function createReadingsJsonParser(maxReadings: number): (payload: Buffer) => Reading[] | UploadOutcome {
  const compile = AjvCompiler()({ [jsonReadingSchema.$id]: jsonReadingSchema }, { customOptions: JSON_SCHEMA_OPTIONS });
  // At run time the compiler takes Fastify's route definition (its .d.ts says a bare schema).
  const route = { schema: jsonReadingsSchema(maxReadings), method: 'POST', url: '/api/v1/readings', httpPart: 'body' };
  const validate = compile(route as unknown as Parameters<typeof compile>[0]);

  return (payload) => {
    let body: unknown;
    try {
      body = JSON.parse(payload.toString('utf8'));
    } catch (error) {
      return { status: 'rejected', code: 'bad_request', reason: `body is not JSON: ${(error as Error).message}` };
    }
    // As the HTTP route does: a single reading object stands for an array of one.
    if (body !== null && typeof body === 'object' && !Array.isArray(body)) body = [body];
    if (!validate(body)) {
      const e = validate.errors?.[0];
      const params = (e?.params ?? {}) as Record<string, unknown>;
      let path = `body${e?.instancePath ?? ''}`;
      if (typeof params['missingProperty'] === 'string') path += `/${params['missingProperty']}`;
      if (typeof params['additionalProperty'] === 'string') path += `/${params['additionalProperty']}`;
      const reason = typeof params['additionalProperty'] === 'string' ? 'is not a known field' : (e?.message ?? 'is invalid');
      return { status: 'rejected', code: 'bad_request', reason: `${path} ${reason}` };
    }
    return (body as JsonReading[]).map(fromJson);
  };
}
