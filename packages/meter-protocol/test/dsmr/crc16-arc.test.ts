import { describe, expect, it } from 'vitest';
import { crc16Arc, crc16ArcLatin1, crcHex } from '../../src/dsmr/crc16-arc.ts';
import { allCaptures } from './p1-corpus.ts';

/** Bit-by-bit CRC16/ARC straight from the definition, to check the table-driven one against. */
function reference(bytes: Uint8Array): number {
  let crc = 0;
  for (const b of bytes) {
    crc ^= b;
    for (let i = 0; i < 8; i++) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
  }
  return crc;
}

describe('crc16Arc', () => {
  it('gives the catalogue check value 0xBB3D for "123456789"', () => {
    expect(crc16Arc(new TextEncoder().encode('123456789'))).toBe(0xbb3d);
  });

  it('is 0 for no bytes and honours start/end', () => {
    const bytes = new TextEncoder().encode('xx123456789yy');
    expect(crc16Arc(bytes, 0, 0)).toBe(0);
    expect(crc16Arc(bytes, 2, 11)).toBe(0xbb3d);
  });

  it('matches the bitwise definition on every byte value and on pseudo-random blocks', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(crc16Arc(all)).toBe(reference(all));
    let seed = 7;
    for (let n = 0; n < 50; n++) {
      const block = Uint8Array.from({ length: n * 13 }, () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24);
      expect(crc16Arc(block)).toBe(reference(block));
    }
  });

  it('latin1 string form equals the byte form, and flags chars above 0xFF', () => {
    const text = '/ISk5\x02MT382-1000\r\n\xab\xff!';
    const bytes = Uint8Array.from(text, (ch) => ch.charCodeAt(0));
    expect(crc16ArcLatin1(text)).toBe(crc16Arc(bytes));
    expect(crc16ArcLatin1('/\u20ac!')).toBe(-1);
    expect(crc16ArcLatin1('/KFM5K\u20acIFA-METER\r\n\r\n!')).toBe(-1); // inside the 8-byte loop
  });

  for (const c of allCaptures) {
    it(`${c.id}: computes ${c.expected.crc.computed_crc16_arc} over '/'..'!' as the corpus does`, () => {
      const start = c.text.indexOf('/');
      const end = c.text.indexOf('!', start) + 1;
      expect(crcHex(crc16Arc(c.bytes, start, end))).toBe(c.expected.crc.computed_crc16_arc);
    });
  }
});
