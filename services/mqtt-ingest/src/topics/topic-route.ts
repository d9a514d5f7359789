/**
 * The topic tree. Devices publish under their own name; the broker's ACL enforces that, and the
 * ingest trusts the `<device>` level because of it.
 *   sem/<device>/readings    our JSON body (the HTTP readings schema)
 *   sem/<device>/telegram    one or more raw P1 telegrams
 *   sem/<device>/frame       raw HAN bytes (HDLC frames), or the same as hex text
 *   sem/<device>/amsreader   the JSON that AmsReader publishes (its "publish topic" set to this)
 *   sem/<device>/config      down-link: retained send interval, written by the ingest service
 */

export const TOPIC_ROOT = 'sem';

export const UPLOAD_KINDS = ['readings', 'telegram', 'frame', 'amsreader'] as const;
export type UploadKind = (typeof UPLOAD_KINDS)[number];

export interface UploadRoute {
  device: string;
  kind: UploadKind;
}

/**
 * What the ingest service subscribes to. `amsreader/#` also matches `amsreader` itself; subscribing
 * to both would have the broker deliver each message twice (overlapping subscriptions).
 */
export const INGEST_SUBSCRIPTIONS: readonly string[] = [
  `${TOPIC_ROOT}/+/readings`,
  `${TOPIC_ROOT}/+/telegram`,
  `${TOPIC_ROOT}/+/frame`,
  `${TOPIC_ROOT}/+/amsreader/#`,
];

export function uploadTopic(device: string, kind: UploadKind): string {
  return `${TOPIC_ROOT}/${device}/${kind}`;
}

export function configTopic(device: string): string {
  return `${TOPIC_ROOT}/${device}/config`;
}

/** Splits an upload topic; null for anything that is not one (never throws: a bad topic is data). */
export function parseUploadTopic(topic: string): UploadRoute | null {
  const levels = topic.split('/');
  if (levels.length < 3 || levels[0] !== TOPIC_ROOT) return null;
  const device = levels[1]!;
  const kind = levels[2]!;
  if (device === '') return null;
  if (kind === 'amsreader') return { device, kind };
  if (levels.length !== 3) return null;
  return (UPLOAD_KINDS as readonly string[]).includes(kind) ? { device, kind: kind as UploadKind } : null;
}
