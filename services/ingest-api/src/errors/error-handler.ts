import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ChecksumError, ProtocolError } from '@sem/meter-protocol';
import { dbUnavailable, IngestError, isDbUnavailable, rejectReason } from '@sem/ingest';
import { ApiError } from './api-error.ts';

/** Protocol errors become 422 with what the meter declared and what we computed. */
export function fromProtocolError(err: ProtocolError, statusCode?: number): ApiError {
  const opts = (details: Record<string, unknown>) => ({ details, cause: err, ...(statusCode ? { statusCode } : {}) });
  const at = err.offset === undefined ? {} : { offset: err.offset };
  if (err instanceof ChecksumError) {
    return new ApiError('checksum_mismatch', err.message, opts({ declared: err.declared, computed: err.computed, ...at }));
  }
  const code = rejectReason(err) ?? 'invalid_frame';
  // Input the server cannot take (e.g. an encrypted frame without the device's key) is no unparsable telegram: never the dsmr-reader 500.
  if (code === 'unsupported_input') return new ApiError(code, err.message, { details: at, cause: err });
  return new ApiError(code, err.message, opts(at));
}

function validationError(err: FastifyError): ApiError {
  const v = err.validation?.[0];
  const params = (v?.params ?? {}) as Record<string, unknown>;
  const context = err.validationContext ?? 'body';
  let path = `${context}${v?.instancePath ?? ''}`;
  if (typeof params.missingProperty === 'string') path += `/${params.missingProperty}`;
  if (typeof params.additionalProperty === 'string') path += `/${params.additionalProperty}`;
  const reason = typeof params.additionalProperty === 'string' ? 'is not a known field' : (v?.message ?? 'is invalid');
  return new ApiError('bad_request', `${path} ${reason}`, { details: { path, reason } });
}

/** The engine's domain errors as HTTP answers: a status, and Retry-After when retrying may help. */
export function fromIngestError(err: IngestError, statusCode?: number): ApiError {
  const opts = {
    cause: err,
    ...(err.details ? { details: err.details } : {}),
    ...(err.retryAfterSeconds === undefined ? {} : { retryAfterS: err.retryAfterSeconds }),
    ...(statusCode ? { statusCode } : {}),
  };
  switch (err.kind) {
    case 'invalid-reading':
      return new ApiError('reading_rejected', err.message, opts);
    case 'invalid-payload':
      return new ApiError('invalid_frame', err.message, opts);
    case 'unknown-device':
      return new ApiError('unauthorized', err.message, { cause: err, ...(statusCode ? { statusCode } : {}) });
    case 'overloaded':
    case 'shutting-down':
    case 'database-unavailable':
      return new ApiError('service_unavailable', err.message, opts);
  }
}

/** Maps anything thrown to the one error shape. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof IngestError) return fromIngestError(err);
  if (err instanceof ProtocolError) return fromProtocolError(err);
  if (isDbUnavailable(err)) return fromIngestError(dbUnavailable(err));
  const fe = err as FastifyError;
  if (fe?.validation) return validationError(fe);
  switch (fe?.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError('payload_too_large', 'request body is larger than the limit', { cause: err });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_EMPTY_TYPE':
    case 'FST_ERR_CTP_INVALID_TYPE':
      return new ApiError('unsupported_media_type', 'this route does not accept that Content-Type', { cause: err });
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      // the body as a whole is unreadable: its path is the body itself
      return new ApiError('bad_request', fe.message, { details: { path: 'body', reason: fe.message }, cause: err });
  }
  if (fe?.statusCode === 429) return new ApiError('rate_limited', 'too many requests', { cause: err });
  if (typeof fe?.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return new ApiError('bad_request', fe.message, { cause: err });
  }
  return new ApiError('internal_error', 'internal error', { cause: err });
}

export function sendApiError(request: FastifyRequest, reply: FastifyReply, apiError: ApiError): FastifyReply {
  if (apiError.retryAfterS !== undefined) reply.header('retry-after', String(apiError.retryAfterS));
  const body = { error: { code: apiError.code, message: apiError.message, ...(apiError.details ? { details: apiError.details } : {}) } };
  return reply.code(apiError.statusCode).type('application/json; charset=utf-8').send(body);
}

export function registerErrorHandler(app: FastifyInstance, onReject: (code: string, route: string) => void): void {
  app.setErrorHandler((err, request, reply) => {
    const apiError = toApiError(err);
    const route = request.routeOptions.url ?? 'unknown';
    onReject(apiError.code, route);
    if (apiError.statusCode >= 500 && apiError.code !== 'service_unavailable') {
      request.log.error({ err, code: apiError.code }, 'request failed');
    } else if (err instanceof IngestError && err.kind === 'overloaded') {
      // Thousands a second under overload: counted in sem_write_queue_shed_total, not logged one by one.
      request.log.debug({ code: apiError.code, reason: err.details?.reason }, 'request shed');
    } else if (apiError.statusCode >= 500) {
      request.log.warn({ code: apiError.code, cause: String((apiError.cause as Error | undefined)?.message ?? '') }, 'database unavailable');
    } else {
      request.log.info({ code: apiError.code, reason: apiError.message }, 'request rejected');
    }
    return sendApiError(request, reply, apiError);
  });
  app.setNotFoundHandler((request, reply) => {
    onReject('not_found', 'unknown');
    return sendApiError(request, reply, new ApiError('not_found', `no route ${request.method} ${request.url.split('?')[0]}`));
  });
}
