const utf8 = new TextDecoder('utf-8', { fatal: true });
const latin1 = new TextDecoder('latin1');

/**
 * Bytes to text for telegrams: UTF-8 when the bytes are valid UTF-8, else Latin-1 (one char per byte).
 * Meters send ASCII; some captures carry stray bytes such as 0xAB whose CRC was computed byte-wise.
 */
export function bytesToText(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    return latin1.decode(bytes);
  }
}
