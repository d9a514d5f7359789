/**
 * A telegram string as latin1 bytes in a reused scratch buffer. The decoder reads bytes instead
 * of charCodeAt (about half the cost per character) and sums the CRC over them 32 bits at a time.
 * ASCII text is copied by one native encodeInto (UTF-8 equals latin1 there).
 */
import { LITTLE_ENDIAN, crc16Arc, crc16ArcWords } from './crc16-arc.ts';

const encoder = new TextEncoder();

const scratch = new Uint8Array(65_536);
const scratchWords = new Uint32Array(scratch.buffer);

/** The bytes of the last loaded telegram from index 0, and the same memory as 32-bit words. */
export const loaded = { bytes: scratch, words: scratchWords };

/** encodeInto `text` at bytes[at]: true when it was all ASCII and fit. */
function encodeAscii(text: string, at: number): boolean {
  const target = at === 0 ? loaded.bytes : loaded.bytes.subarray(at);
  const { read, written } = encoder.encodeInto(text, target);
  return read === text.length && written === read;
}

/**
 * Loads text[0, text.length) into loaded.bytes. Returns false when a char code is above 0xFF:
 * such a character is stored as 0xFF which, like it, is no digit, separator or unit letter.
 */
export function loadTelegram(text: string): boolean {
  const n = text.length;
  if (n <= scratch.length) {
    loaded.bytes = scratch;
    loaded.words = scratchWords;
  } else {
    // an oversized text gets a buffer of its own, dropped at the next call instead of kept for good
    loaded.bytes = new Uint8Array((n + 7) & ~7);
    loaded.words = new Uint32Array(loaded.bytes.buffer);
  }
  if (encodeAscii(text, 0)) return true;
  // Fluvius meters send a latin1 byte (0xAB) in the header: that line by char codes, the rest in one copy
  const lf = text.indexOf('\n');
  const headEnd = lf < 0 ? n : lf + 1;
  let valid = copyChars(text, 0, headEnd);
  if (headEnd < n && !encodeAscii(text.slice(headEnd), headEnd)) valid = copyChars(text, headEnd, n) && valid;
  return valid;
}

/** Copies char codes text[start, end) to the same byte indexes; false when one is above 0xFF (stored as 0xFF). */
function copyChars(text: string, start: number, end: number): boolean {
  const bytes = loaded.bytes;
  let valid = true;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c > 0xff) valid = false;
    bytes[i] = c > 0xff ? 0xff : c;
  }
  return valid;
}

/** CRC16/ARC of the loaded bytes[0, end). */
export function loadedCrc(end: number): number {
  return LITTLE_ENDIAN ? crc16ArcWords(loaded.bytes, loaded.words, end) : crc16Arc(loaded.bytes, 0, end);
}
