import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { AdmissionRefusal } from '@sem/ingest';

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

const REASON = 'service_unavailable';

/** A device POST: what the write path admits or refuses (the admin API is never shed). */
function isIngestPost(req: IncomingMessage): boolean {
  return req.method === 'POST' && req.url !== undefined && !req.url.startsWith('/api/v1/admin');
}

/** The error body every route answers (errors/error-handler.ts sendApiError), built without Fastify's serializer. */
export function refusalBody(r: AdmissionRefusal): string {
  return JSON.stringify({ error: { code: REASON, message: r.message, ...(r.reason ? { details: { reason: r.reason } } : {}) } });
}

/**
 * The listeners' request handler: under overload a device POST is answered 503 + Retry-After here, before Fastify
 * builds its request and reply, runs hooks or reads the body, and without an Error object (a stack trace costs more
 * than the decision). At four times the load most requests are refused, so this path is most of the API's work
 * (docs/performance.md, "Overload"). Everything else goes to `app.routing`; the onRequest hook of the ingest plugin
 * asks again for requests that come in through `inject()`.
 */
export function admissionGate(app: FastifyInstance): RequestListener {
  const routing = app.routing;
  return (req, res) => {
    const refused = isIngestPost(req) ? app.ingest.refusal() : undefined;
    if (!refused) return routing(req, res);
    const path = req.url!.split('?', 1)[0]!;
    // The route label as the error handler gives it; any other path is one label, so the series stay few.
    app.metrics?.rejects.inc({ reason: REASON, route: app.hasRoute({ method: 'POST', url: path }) ? path : 'unknown' });
    app.rejectCounter?.count(REASON);
    const body = refusalBody(refused);
    res.writeHead(503, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
      'retry-after': String(refused.retryAfterSeconds),
      // A closing server hangs up; an overloaded one keeps the connection for the retry.
      ...(refused.kind === 'shutting-down' ? { connection: 'close' } : {}),
    });
    res.end(body);
  };
}
