/** CRC16/ARC as DSMR 4+ and e-MUCS use it: poly 0x8005 reflected (0xA001), init 0, no final XOR. */

/**
 * Slicing-by-4 tables: T[k][n] is the CRC contribution of byte n followed by k zero bytes, so four
 * bytes cost four independent lookups instead of a chain of four (the CRC is linear over XOR).
 */
const T0 = new Uint16Array(256);
const T1 = new Uint16Array(256);
const T2 = new Uint16Array(256);
const T3 = new Uint16Array(256);

for (let n = 0; n < 256; n++) {
  let crc = n;
  for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
  T0[n] = crc;
}
for (let n = 0; n < 256; n++) {
  T1[n] = (T0[n]! >>> 8) ^ T0[T0[n]! & 0xff]!;
  T2[n] = (T1[n]! >>> 8) ^ T0[T1[n]! & 0xff]!;
  T3[n] = (T2[n]! >>> 8) ^ T0[T2[n]! & 0xff]!;
}

/** CRC16/ARC of bytes[start, end). */
export function crc16Arc(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let crc = 0;
  let i = start;
  for (const stop = end - 3; i < stop; i += 4) {
    crc ^= bytes[i]! | (bytes[i + 1]! << 8);
    crc = T3[crc & 0xff]! ^ T2[crc >>> 8]! ^ T1[bytes[i + 2]!]! ^ T0[bytes[i + 3]!]!;
  }
  for (; i < end; i++) crc = (crc >>> 8) ^ T0[(crc ^ bytes[i]!) & 0xff]!;
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
  for (const stop = end - 3; i < stop; i += 4) {
    const c0 = text.charCodeAt(i);
    const c1 = text.charCodeAt(i + 1);
    const c2 = text.charCodeAt(i + 2);
    const c3 = text.charCodeAt(i + 3);
    high |= c0 | c1 | c2 | c3;
    crc ^= c0 | ((c1 & 0xff) << 8);
    crc = T3[crc & 0xff]! ^ T2[(crc >>> 8) & 0xff]! ^ T1[c2 & 0xff]! ^ T0[c3 & 0xff]!;
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
