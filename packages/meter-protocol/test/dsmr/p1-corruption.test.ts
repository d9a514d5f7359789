/**
 * Single-byte corruption of every CRC-carrying capture is caught: changing one byte between '/'
 * and the end of the CRC gives ChecksumError or FrameError, never a reading.
 * DSMR 2.2/3 and EasyMeter Q3D telegrams carry no CRC, so a changed digit in a register cannot be
 * detected there: they are excluded (their framing rules are tested in telegram-decoder.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { ChecksumError, FrameError } from '../../src/errors.ts';
import { decodeTelegrams } from '../../src/dsmr/telegram-decoder.ts';
import { allCaptures, isStream, type Capture } from './p1-corpus.ts';

/** Replacement bytes tried at every position: the 8 single-bit flips plus every framing character and the edge digits and letters. */
function replacements(original: number): number[] {
  const set = new Set<number>();
  for (let bit = 0; bit < 8; bit++) set.add(original ^ (1 << bit));
  for (const ch of '/!\r\n()*:.-09AFaf SW\x00\xff') set.add(ch.charCodeAt(0));
  set.delete(original);
  return [...set];
}

/** Valid captures with a CRC, one per content; invalid ones re-sealed with their computed CRC. */
function sealedCaptures(): { c: Capture; text: string }[] {
  const seen = new Set<string>();
  const out: { c: Capture; text: string }[] = [];
  for (const c of allCaptures) {
    const { status, declared, computed_crc16_arc: computed } = c.expected.crc;
    if (isStream(c) || status === 'no_crc') continue;
    const bang = c.text.indexOf('!');
    const text = status === 'valid' ? c.text : c.text.slice(0, bang + 1) + computed + c.text.slice(bang + 1 + declared!.length);
    if (seen.has(text)) continue;
    seen.add(text);
    out.push({ c, text });
  }
  return out;
}

describe('single-byte corruption', () => {
  for (const { c, text } of sealedCaptures()) {
    it(`${c.id}: every position x ${replacements(0x41).length} byte values is rejected`, () => {
      expect(decodeTelegrams(text)).toHaveLength(1);
      const start = text.indexOf('/');
      const bang = text.indexOf('!');
      const end = bang + 1 + (/^[0-9A-F]{1,4}/.exec(text.slice(bang + 1))?.[0].length ?? 0);
      const escaped: string[] = [];
      let tried = 0;
      for (let p = start; p < end; p++) {
        for (const b of replacements(text.charCodeAt(p))) {
          const corrupted = text.slice(0, p) + String.fromCharCode(b) + text.slice(p + 1);
          tried++;
          try {
            decodeTelegrams(corrupted);
            escaped.push(`offset ${p}: ${JSON.stringify(text[p])} -> 0x${b.toString(16)}`);
          } catch (error) {
            if (!(error instanceof ChecksumError || error instanceof FrameError)) throw error;
          }
        }
      }
      expect(escaped).toEqual([]);
      expect(tried).toBeGreaterThan((end - start) * 20);
    });
  }
});
