import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { RequestIdentity } from '@sem/ingest';
import { ApiError } from '../errors/api-error.ts';

// RFC draft "The Idempotency-Key HTTP Header Field": a client-chosen string; here up to 255 visible ASCII characters.
const KEY = /^[\x21-\x7e]{1,255}$/;

/**
 * What identifies this request if the client sends it again: its Idempotency-Key header, and a hash of
 * its route and body (used for clockless readings only, within SEM_IDEMPOTENCY_BODY_WINDOW_S).
 */
export function requestIdentity(request: FastifyRequest): RequestIdentity {
  const header = request.headers['idempotency-key'];
  if (header !== undefined && (typeof header !== 'string' || !KEY.test(header))) {
    throw new ApiError('bad_request', 'Idempotency-Key must be 1 to 255 visible ASCII characters', { details: { path: 'headers/idempotency-key' } });
  }
  const route = request.routeOptions.url;
  const body = request.body;
  let hash: Buffer | undefined;
  return {
    idempotencyKey: header,
    // Hashed on first use: the engine asks only for requests with a clockless reading (re-serialising every JSON body cost the single-reading path CPU).
    get bodyHash() {
      if (hash === undefined) {
        const bytes = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body ?? null);
        hash = createHash('sha256').update(`${route}\0`).update(bytes).digest();
      }
      return hash;
    },
  };
}
