import { createHash } from 'node:crypto';
import { quotePlus } from './form-encoding.ts';
import type { OutboxItem, PostFormat } from './post-format.ts';
import { semFormBody } from './sem-form.ts';

/** One HTTP request, ready for fetch. */
export interface PostRequest {
  path: string;
  headers: Record<string, string>;
  body: string | Uint8Array;
}

export interface DeviceAuth {
  key: string;
  /** dsmr-reader: `X-AUTHKEY: key` (classic) or `Authorization: Token key` (datalogger 4.x+). */
  dsmrHeader: 'x-authkey' | 'token';
}

export const PATHS: Record<PostFormat, string> = {
  json: '/api/v1/readings',
  telegram: '/api/v1/telegrams',
  frame: '/api/v1/frames',
  sem: '/post-data.php',
  'dsmr-reader': '/api/v1/datalogger/dsmrreading',
};

export function bearer(key: string): Record<string, string> {
  return { authorization: `Bearer ${key}` };
}

/**
 * The Idempotency-Key of a request: the same for every retry of the same outbox entries (ids and device
 * times), so the server stores them once however often a timeout makes us send them.
 */
export function idempotencyKey(entries: readonly { id: number; item: OutboxItem }[]): string {
  const h = createHash('sha256');
  for (const e of entries) h.update(`${e.id}:${e.item.at};`);
  return `sim-${h.digest('hex').slice(0, 40)}`;
}

/**
 * Builds the request for `items` (several only for json). `key`: its Idempotency-Key, sent on SEM's own
 * routes (json, telegram, frame); the SEM firmware and dsmr-reader send none, so the simulator does not either.
 */
export function buildRequest(format: PostFormat, items: readonly OutboxItem[], auth: DeviceAuth, key?: string): PostRequest {
  const retryKey: Record<string, string> = key ? { 'idempotency-key': key } : {};
  const path = PATHS[format];
  const first = items[0];
  if (!first) throw new RangeError('no item to post');
  switch (format) {
    case 'json':
      return {
        path,
        headers: { ...bearer(auth.key), ...retryKey, 'content-type': 'application/json' },
        body: JSON.stringify(items.length === 1 ? first.body : items.map((i) => i.body)),
      };
    case 'telegram':
      // Telegrams back to back, as on the wire; latin1 keeps exactly the meter's bytes (0xAB header bytes too).
      return {
        path,
        headers: { ...bearer(auth.key), ...retryKey, 'content-type': 'text/plain' },
        body: Buffer.from(items.map((i) => String(i.body)).join(''), 'latin1'),
      };
    case 'frame':
      // Frames back to back, flags included, as an M-Bus adapter delivers them.
      return {
        path,
        headers: { ...bearer(auth.key), ...retryKey, 'content-type': 'application/octet-stream' },
        body: Buffer.from(items.map((i) => String(i.body)).join(''), 'hex'),
      };
    case 'sem':
      // The firmware sends no auth header: the key is the api_key form field.
      return {
        path,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: semFormBody(auth.key, String(first.body)),
      };
    case 'dsmr-reader':
      return {
        path,
        headers: {
          ...(auth.dsmrHeader === 'token' ? { authorization: `Token ${auth.key}` } : { 'x-authkey': auth.key }),
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: `telegram=${quotePlus(String(first.body))}`,
      };
  }
}
