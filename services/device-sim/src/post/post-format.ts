/**
 * How a device posts, chosen per device:
 *   json         decode locally like a smart ESP32, POST canonical readings (arrays when batching)
 *   telegram     raw P1 telegrams, text/plain (several back to back when batching)
 *   frame        raw HAN frames, application/octet-stream (several back to back when batching)
 *   sem          the SEM ESP32 firmware's form POST (/post-data.php)
 *   dsmr-reader  the dsmr-reader remote datalogger's form POST
 */
export const POST_FORMATS = ['json', 'telegram', 'frame', 'sem', 'dsmr-reader'] as const;
export type PostFormat = (typeof POST_FORMATS)[number];

/** What the outbox keeps per reading: enough to rebuild the exact request, and never a key. */
export interface OutboxItem {
  /** json: a canonical reading object; telegram, dsmr-reader: telegram text; frame: hex; sem: form fields after the key. */
  body: string | Record<string, unknown>;
  /** Device time the reading was produced (ms). */
  at: number;
  /**
   * The reading carries no meter time (Aidon list 1/2, DSMR 2.2), so the server keys it by its
   * receive time: it is posted alone, so that its key is the time it was sent, not the batch's.
   */
  solo?: boolean;
}

/**
 * Formats whose requests can carry several readings at once (a JSON array, telegrams or frames back
 * to back). The SEM firmware and the dsmr-reader datalogger post one reading per request.
 */
export function batches(format: PostFormat): boolean {
  return format === 'json' || format === 'telegram' || format === 'frame';
}

export function acceptsProtocol(format: PostFormat, protocol: 'p1' | 'han'): boolean {
  if (format === 'frame') return protocol === 'han';
  if (format === 'telegram' || format === 'sem' || format === 'dsmr-reader') return protocol === 'p1';
  return true;
}
