/** Property tests: random input only ever raises ProtocolError; chunking never changes what is read. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../src/errors.ts';
import { decodeFrame, decodeFrames } from '../../src/dlms/han-decoder.ts';
import { HdlcFrameReader } from '../../src/dlms/hdlc-frame-reader.ts';
import { toHex } from '../../src/dlms/hex.ts';
import { buildFrame, concat, infoOf, LLC } from './hdlc-frame-builder.ts';
import { hanFixtures } from './han-fixture-files.ts';

const frames = hanFixtures()
  .filter((f) => f.expected?.hdlc?.valid && !f.expected.hdlc.segmented)
  .map((f) => f.bytes);

function onlyProtocolErrors(run: () => unknown): void {
  try {
    run();
  } catch (e) {
    if (!(e instanceof ProtocolError)) throw e;
  }
}

/** Reads a stream in the given chunks; returns frame bytes and error texts. */
function read(stream: Uint8Array, cuts: number[]): { frames: string[]; errors: string[] } {
  const reader = new HdlcFrameReader();
  const out = { frames: [] as string[], errors: [] as string[] };
  let at = 0;
  const results = [];
  for (const cut of [...cuts, stream.length]) {
    results.push(reader.push(stream.subarray(at, cut)));
    at = cut;
  }
  results.push(reader.end());
  for (const r of results) {
    out.frames.push(...r.frames.map((f) => toHex(f.raw)));
    out.errors.push(...r.errors.map((e) => `${e.name}: ${e.message}`));
  }
  return out;
}

describe('random input', () => {
  it('random bytes into decodeFrames raise nothing but ProtocolError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => onlyProtocolErrors(() => decodeFrames(bytes))),
      { numRuns: 2000 },
    );
  });

  it('random bytes after a valid flag and header raise nothing but ProtocolError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (tail) => onlyProtocolErrors(() => decodeFrames(concat(Uint8Array.of(0x7e, 0xa0, tail.length + 9), tail)))),
      { numRuns: 2000 },
    );
  });

  it('random information fields in frames with valid HCS/FCS raise nothing but ProtocolError', () => {
    const apdu = fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      fc.uint8Array({ maxLength: 300 }).map((b) => concat(LLC, Uint8Array.of(0x0f, 0x40, 0, 0, 0, 0), b)),
      fc.uint8Array({ maxLength: 300 }).map((b) => concat(LLC, Uint8Array.of(0x0f, 0, 0, 0, 0, 0x0c), b)),
      fc.uint8Array({ maxLength: 300 }).map((b) => concat(LLC, Uint8Array.of(0xdb, 0x08), b)),
    );
    fc.assert(
      fc.property(apdu, (info) => onlyProtocolErrors(() => decodeFrame(buildFrame(info), { encryptionKey: new Uint8Array(16) }))),
      { numRuns: 3000 },
    );
  });

  it('random byte mutations of real information fields raise nothing but ProtocolError', () => {
    const infos = frames.map(infoOf);
    fc.assert(
      fc.property(
        fc.constantFrom(...infos),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
        (info, edits) => {
          const copy = Uint8Array.from(info);
          for (const [at, v] of edits) copy[at % copy.length] = v;
          onlyProtocolErrors(() => decodeFrame(buildFrame(copy)));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('random chunks pushed into the reader never throw', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 20 }), (chunks) => {
        const reader = new HdlcFrameReader();
        for (const c of chunks) reader.push(c);
        reader.end();
      }),
      { numRuns: 1000 },
    );
  });
});

describe('chunking', () => {
  // garbage without 0x7E cannot hide a frame; garbage with it may only add errors
  const garbage = fc.uint8Array({ maxLength: 40 });
  // false starts (7E A0 ...) make the reader wait for a frame that never comes
  const falseStart = fc.uint8Array({ maxLength: 8 }).map((g) => concat(Uint8Array.of(0x7e, 0xa0), g));
  const stream = fc
    .array(fc.tuple(fc.constantFrom(...frames), fc.oneof(garbage, falseStart)), { minLength: 1, maxLength: 5 })
    .map((parts) => ({ parts, bytes: concat(...parts.flatMap(([f, g]) => [f, g])) }));

  it('random splits yield exactly the frames (and errors) of the unsplit stream', () => {
    fc.assert(
      fc.property(stream, fc.array(fc.nat(), { maxLength: 12 }), ({ bytes }, rawCuts) => {
        const cuts = [...new Set(rawCuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        expect(read(bytes, cuts)).toEqual(read(bytes, []));
      }),
      { numRuns: 500 },
    );
  });

  it('with flag-free garbage, every frame of the stream is found, in order', () => {
    const clean = fc
      .array(fc.tuple(fc.constantFrom(...frames), garbage.map((g) => g.map((b) => (b === 0x7e ? 0x7d : b)))), { minLength: 1, maxLength: 5 })
      .map((parts) => ({ parts, bytes: concat(...parts.flatMap(([f, g]) => [f, g])) }));
    fc.assert(
      fc.property(clean, fc.array(fc.nat(), { maxLength: 12 }), ({ parts, bytes }, rawCuts) => {
        const cuts = [...new Set(rawCuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        expect(read(bytes, cuts).frames).toEqual(parts.map(([f]) => toHex(f)));
      }),
      { numRuns: 500 },
    );
  });
});
