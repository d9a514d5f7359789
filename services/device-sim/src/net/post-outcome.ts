import { parseRetryAfterMs } from './backoff.ts';

/**
 * What a device makes of a server answer:
 *   ack     2xx (or a "duplicate" answer): the readings are stored, drop them from the outbox
 *   retry   network error, timeout, 408, 429 or 5xx: keep them, try again later (Retry-After wins)
 *   reject  any other 4xx: final, counted by reason, dropped from the outbox
 */
export type PostOutcome =
  | { kind: 'ack'; status: number; duplicate: boolean; perItem?: ItemResult[]; sendIntervalS?: number }
  | { kind: 'retry'; status?: number; reason: string; retryAfterMs?: number; sendIntervalS?: number }
  | { kind: 'reject'; status: number; reason: string; perItem?: ItemResult[]; sendIntervalS?: number };

/** Per-reading result of a batch, when the server gives one. */
export interface ItemResult {
  index: number;
  status: 'stored' | 'duplicate' | 'rejected';
  reason?: string;
}

const RETRY_STATUS = new Set([408, 425, 429]);
// dsmr-reader answers 500 for a telegram that does not parse: retrying the same bytes cannot help.
const FINAL_CODES = new Set(['checksum_mismatch', 'invalid_frame', 'unsupported_input', 'decryption_failed', 'reading_rejected', 'bad_request']);

function errorCode(body: unknown): string | undefined {
  const e = (body as { error?: { code?: unknown } } | null)?.error;
  return typeof e?.code === 'string' ? e.code : undefined;
}

/** A send interval in the answer: body `sendIntervalS` (or `device.sendIntervalS`) or header `x-send-interval`. */
export function sendIntervalOf(body: unknown, headers: Headers): number | undefined {
  const b = body as { sendIntervalSeconds?: unknown; sendIntervalS?: unknown; device?: { sendIntervalSeconds?: unknown; sendIntervalS?: unknown } } | null;
  const v = b?.sendIntervalSeconds ?? b?.sendIntervalS ?? b?.device?.sendIntervalSeconds ?? b?.device?.sendIntervalS ?? headers.get('x-send-interval');
  const n = typeof v === 'string' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : undefined;
}

function isDuplicate(status: number, body: unknown): boolean {
  if (status === 409) return true;
  const b = body as { duplicate?: unknown; status?: unknown; result?: unknown } | null;
  return b?.duplicate === true || b?.status === 'duplicate' || b?.result === 'duplicate' || errorCode(body) === 'duplicate';
}

/** Per-item results of a batch answer: `results: [{ status, code? }]` in request order. */
function itemResults(body: unknown): ItemResult[] | undefined {
  const list = (body as { results?: unknown } | null)?.results;
  if (!Array.isArray(list)) return undefined;
  return list.map((r: { status?: unknown; code?: unknown; reason?: unknown; error?: { code?: unknown } }, index) => {
    const s = String(r?.status ?? 'stored');
    const status = s === 'duplicate' ? 'duplicate' : s === 'rejected' || s === 'error' ? 'rejected' : 'stored';
    const reason = r?.code ?? r?.reason ?? r?.error?.code;
    return { index, status, ...(reason === undefined ? {} : { reason: String(reason) }) };
  });
}

export function classifyResponse(status: number, headers: Headers, bodyText: string, nowMs = Date.now()): PostOutcome {
  let body: unknown = null;
  try {
    body = bodyText ? JSON.parse(bodyText) : null;
  } catch {
    body = null;
  }
  const sendIntervalS = sendIntervalOf(body, headers);
  const extra = sendIntervalS === undefined ? {} : { sendIntervalS };
  if ((status >= 200 && status < 300) || (status === 409 && isDuplicate(status, body))) {
    const perItem = itemResults(body);
    return { kind: 'ack', status, duplicate: isDuplicate(status, body), ...(perItem ? { perItem } : {}), ...extra };
  }
  const code = errorCode(body);
  if ((status >= 500 && !(code && FINAL_CODES.has(code))) || RETRY_STATUS.has(status)) {
    const retryAfterMs = parseRetryAfterMs(headers.get('retry-after'), nowMs);
    return { kind: 'retry', status, reason: `http_${status}`, ...(retryAfterMs === undefined ? {} : { retryAfterMs }), ...extra };
  }
  // "No reading was stored" answers carry the per-reading results in error.details.
  const perItem = itemResults((body as { error?: { details?: unknown } } | null)?.error?.details);
  return { kind: 'reject', status, reason: code ?? `http_${status}`, ...(perItem ? { perItem } : {}), ...extra };
}
