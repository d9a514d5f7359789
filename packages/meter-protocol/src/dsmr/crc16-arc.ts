/** CRC16/ARC as DSMR 4+ and e-MUCS use it: poly 0x8005 reflected (0xA001), init 0, no final XOR. */

/**
 * Slicing-by-8 tables: T[k][n] is the CRC contribution of byte n followed by k zero bytes, so eight
 * bytes cost eight independent lookups instead of a chain of eight (the CRC is linear over XOR).
 */
const T = Array.from({ length: 8 }, () => new Uint16Array(256));
const [T0, T1, T2, T3, T4, T5, T6, T7] = T as [Uint16Array, Uint16Array, Uint16Array, Uint16Array, Uint16Array, Uint16Array, Uint16Array, Uint16Array];

for (let n = 0; n < 256; n++) {
  let crc = n;
  for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
  T0[n] = crc;
}
for (let k = 1; k < 8; k++) {
  const prev = T[k - 1]!;
  for (let n = 0; n < 256; n++) T[k]![n] = (prev[n]! >>> 8) ^ T0[prev[n]! & 0xff]!;
}

/** CRC16/ARC of bytes[start, end). */
export function crc16Arc(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let crc = 0;
  let i = start;
  for (const stop = end - 7; i < stop; i += 8) {
    crc ^= bytes[i]! | (bytes[i + 1]! << 8);
    crc =
      T7[crc & 0xff]! ^ T6[crc >>> 8]! ^ T5[bytes[i + 2]!]! ^ T4[bytes[i + 3]!]! ^
      T3[bytes[i + 4]!]! ^ T2[bytes[i + 5]!]! ^ T1[bytes[i + 6]!]! ^ T0[bytes[i + 7]!]!;
  }
  for (; i < end; i++) crc = (crc >>> 8) ^ T0[(crc ^ bytes[i]!) & 0xff]!;
  return crc;
}

/** Uint32Array reads are little-endian on every platform node runs on; checked once anyway. */
export const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * CRC16/ARC of bytes[0, end), where `words` views the same memory (little-endian): two 32-bit
 * loads per 8 bytes instead of eight byte loads, about 40 % faster than crc16Arc.
 */
export function crc16ArcWords(bytes: Uint8Array, words: Uint32Array, end: number): number {
  let crc = 0;
  let w = 0;
  for (const stop = end >>> 3; w < stop; w++) {
    const lo = words[2 * w]!;
    const hi = words[2 * w + 1]!;
    crc ^= lo & 0xffff;
    crc =
      T7[crc & 0xff]! ^ T6[crc >>> 8]! ^ T5[(lo >>> 16) & 0xff]! ^ T4[lo >>> 24]! ^
      T3[hi & 0xff]! ^ T2[(hi >>> 8) & 0xff]! ^ T1[(hi >>> 16) & 0xff]! ^ T0[hi >>> 24]!;
  }
  for (let i = w * 8; i < end; i++) crc = (crc >>> 8) ^ T0[(crc ^ bytes[i]!) & 0xff]!;
  return crc;
}

/**
 * CRC16/ARC of a latin1 string's char codes in [start, end). Returns -1 when a char code is above
 * 0xFF: such a string did not come from a byte stream and has no meaningful CRC.
 */
export function crc16ArcLatin1(text: string, start = 0, end = text.length): number {
  let crc = 0;
  let high = 0;
  let i = start;
  for (const stop = end - 7; i < stop; i += 8) {
    const c0 = text.charCodeAt(i);
    const c1 = text.charCodeAt(i + 1);
    const c2 = text.charCodeAt(i + 2);
    const c3 = text.charCodeAt(i + 3);
    const c4 = text.charCodeAt(i + 4);
    const c5 = text.charCodeAt(i + 5);
    const c6 = text.charCodeAt(i + 6);
    const c7 = text.charCodeAt(i + 7);
    high |= c0 | c1 | c2 | c3 | c4 | c5 | c6 | c7;
    // no masks: a char above 0xFF reads outside a table, and the result is discarded (-1) anyway
    crc ^= c0 | (c1 << 8);
    crc = T7[crc & 0xff]! ^ T6[crc >>> 8]! ^ T5[c2]! ^ T4[c3]! ^ T3[c4]! ^ T2[c5]! ^ T1[c6]! ^ T0[c7]!;
  }
  for (; i < end; i++) {
    const c = text.charCodeAt(i);
    high |= c;
    crc = (crc >>> 8) ^ T0[(crc ^ c) & 0xff]!;
  }
  return high > 0xff ? -1 : crc;
}

/** Four upper-case hex digits, the form ChecksumError reports. */
export function crcHex(crc: number): string {
  return crc.toString(16).toUpperCase().padStart(4, '0');
}
