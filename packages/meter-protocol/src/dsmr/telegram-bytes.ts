/**
 * A telegram string as latin1 bytes in a reused scratch buffer. The decoder reads bytes instead
 * of charCodeAt (about half the cost per character) and sums the CRC over them 32 bits at a time.
 * The text is copied by one native latin1 write (node:buffer).
 */
import { Buffer } from 'node:buffer';
import { LITTLE_ENDIAN, crc16Arc, crc16ArcWords } from './crc16-arc.ts';

const scratch = new Uint8Array(65_536);
const scratchWords = new Uint32Array(scratch.buffer);
const scratchBuffer = Buffer.from(scratch.buffer);
const ABOVE_LATIN1 = /[^\x00-\xff]/;

/** The bytes of the last loaded telegram from index 0, and the same memory as 32-bit words. */
export const loaded = { bytes: scratch, words: scratchWords };

/**
 * Loads text[0, text.length) into loaded.bytes. Returns false when a char code is above 0xFF:
 * such a character is stored as 0xFF which, like it, is no digit, separator or unit letter.
 */
export function loadTelegram(text: string): boolean {
  const n = text.length;
  let buffer = scratchBuffer;
  if (n <= scratch.length) {
    loaded.bytes = scratch;
    loaded.words = scratchWords;
  } else {
    // an oversized text gets a buffer of its own, dropped at the next call instead of kept for good
    loaded.bytes = new Uint8Array((n + 7) & ~7);
    loaded.words = new Uint32Array(loaded.bytes.buffer);
    buffer = Buffer.from(loaded.bytes.buffer);
  }
  // a text that did not come from a byte stream, char by char; the regex fails at once on a one-byte string
  if (ABOVE_LATIN1.test(text)) return copyChars(text, 0, n);
  // one native latin1 copy: cheaper than TextEncoder.encodeInto, and Fluvius' 0xAB header byte needs no detour
  buffer.write(text, 0, 'latin1');
  return true;
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
