/** Changing any single byte of a valid capture is detected (ChecksumError or FrameError), never a reading. */
import { describe, expect, it } from 'vitest';
import { ChecksumError, FrameError } from '../../src/errors.ts';
import { decodeFrame } from '../../src/dlms/han-decoder.ts';
import { hanFixtures } from './han-fixture-files.ts';
import { optionsFor } from './han-expected.ts';

const valid = hanFixtures().filter((f) => f.expected?.hdlc?.valid);

describe('single-byte corruption of every valid capture', () => {
  for (const f of valid) {
    it(`${f.name}: every byte, each bit flipped and set to 00/7E/FF, is rejected`, () => {
      const options = optionsFor(f);
      const copy = Uint8Array.from(f.bytes);
      let checked = 0;
      for (let i = 0; i < copy.length; i++) {
        const original = copy[i]!;
        const variants = [1, 2, 4, 8, 16, 32, 64, 128].map((bit) => original ^ bit);
        for (const v of [0x00, 0x7e, 0xff]) if (v !== original) variants.push(v);
        for (const variant of variants) {
          copy[i] = variant;
          let outcome: unknown = 'decoded';
          try {
            decodeFrame(copy, options);
          } catch (e) {
            outcome = e;
          }
          if (!(outcome instanceof ChecksumError || outcome instanceof FrameError)) {
            expect.fail(`byte ${i} = ${variant.toString(16)}: ${outcome instanceof Error ? outcome.name : outcome}`);
          }
          checked++;
        }
        copy[i] = original;
      }
      expect(checked).toBeGreaterThanOrEqual(f.bytes.length * 10);
    });
  }
});
