/** P1 sends equipment ids and text messages as hex; these turn them back into text. */

function nibble(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  if (l >= 0x61 && l <= 0x66) return l - 0x61 + 10;
  return -1;
}

/** Bytes of an even-length hex string text[start, end), or null when it is not one. */
function hexBytes(text: string, start: number, end: number): number[] | null {
  const n = end - start;
  if (n === 0 || n % 2 !== 0) return null;
  const bytes: number[] = [];
  for (let i = start; i < end; i += 2) {
    const hi = nibble(text.charCodeAt(i));
    const lo = nibble(text.charCodeAt(i + 1));
    if (hi < 0 || lo < 0) return null;
    bytes.push((hi << 4) | lo);
  }
  return bytes;
}

/** An equipment id: hex decoded to ASCII when every byte is printable, else the text as sent. */
export function equipmentIdText(text: string, start: number, end: number): string | null {
  if (start === end) return null;
  const bytes = hexBytes(text, start, end);
  if (bytes !== null && bytes.every((b) => b >= 0x20 && b <= 0x7e)) return String.fromCharCode(...bytes);
  return text.slice(start, end);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A text message: hex decoded as UTF-8, or latin1 when it is not UTF-8; as sent when not hex. */
export function messageText(text: string, start: number, end: number): string | null {
  if (start === end) return null;
  const bytes = hexBytes(text, start, end);
  if (bytes === null) return text.slice(start, end);
  try {
    return utf8.decode(Uint8Array.from(bytes));
  } catch {
    return String.fromCharCode(...bytes);
  }
}
