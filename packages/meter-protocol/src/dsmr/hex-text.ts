/** P1 sends equipment ids and text messages as hex; these turn them back into text. */

/** Value of each hex digit by char code (either case), -1 for everything else. */
const NIBBLE = new Int8Array(256).fill(-1);
for (let c = 0; c < 10; c++) NIBBLE[0x30 + c] = c;
for (let c = 0; c < 6; c++) NIBBLE[0x41 + c] = NIBBLE[0x61 + c] = 10 + c;

function nibble(c: number): number {
  return c < 256 ? NIBBLE[c]! : -1;
}

/** Scratch for decoded bytes: P1 values are at most a few hundred characters. */
const scratch = new Uint8Array(4096);

/** Decodes the even-length hex text[start, end) into `scratch`; returns the byte count or -1. */
function hexBytes(text: string, start: number, end: number): number {
  const n = end - start;
  if (n === 0 || n % 2 !== 0 || n > 2 * scratch.length) return -1;
  for (let i = start, k = 0; i < end; i += 2, k++) {
    const hi = nibble(text.charCodeAt(i));
    const lo = nibble(text.charCodeAt(i + 1));
    if (hi < 0 || lo < 0) return -1;
    scratch[k] = (hi << 4) | lo;
  }
  return n >> 1;
}

function scratchText(count: number): string {
  return String.fromCharCode.apply(null, scratch.subarray(0, count) as unknown as number[]);
}

/**
 * Decoded ids by their text: a meter repeats its ids in every telegram. A direct-mapped cache
 * hashed on the last characters, so a hit costs no Map hashing and no decoding.
 */
const ID_SLOTS = 256;
const cachedSent: string[] = new Array<string>(ID_SLOTS).fill('');
const cachedId: string[] = new Array<string>(ID_SLOTS).fill('');

/** An equipment id text[start, end) (bytes[i] is text[i]): hex decoded to ASCII when every byte is printable, else the text as sent. */
export function equipmentIdText(text: string, bytes: Uint8Array, start: number, end: number): string | null {
  if (start === end) return null;
  // the length and the last few characters (where serial numbers differ) pick the slot: the full compare below decides
  let hash = Math.imul(0x811c9dc5 ^ (end - start), 0x01000193);
  for (let i = end - start > 6 ? end - 6 : start; i < end; i++) hash = Math.imul(hash ^ bytes[i]!, 0x01000193);
  const slot = (hash >>> 24) & (ID_SLOTS - 1);
  // a slice and === cost less than half of startsWith(cached, start), whose argument is not a constant
  const fresh = text.slice(start, end);
  if (fresh === cachedSent[slot]) return cachedId[slot]!;
  const id = decodeId(fresh);
  cachedSent[slot] = fresh;
  cachedId[slot] = id;
  return id;
}

function decodeId(sent: string): string {
  const count = hexBytes(sent, 0, sent.length);
  if (count < 0) return sent;
  for (let k = 0; k < count; k++) if (scratch[k]! < 0x20 || scratch[k]! > 0x7e) return sent;
  return scratchText(count);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A text message: hex decoded as UTF-8, or latin1 when it is not UTF-8; as sent when not hex. */
export function messageText(text: string, start: number, end: number): string | null {
  if (start === end) return null;
  const count = hexBytes(text, start, end);
  if (count < 0) return text.slice(start, end);
  let high = 0;
  for (let k = 0; k < count; k++) high |= scratch[k]!;
  // ASCII is the same in UTF-8 and latin1: only other bytes need the (costly) TextDecoder call
  if (high < 0x80) return scratchText(count);
  try {
    return utf8.decode(scratch.subarray(0, count));
  } catch {
    return scratchText(count);
  }
}
