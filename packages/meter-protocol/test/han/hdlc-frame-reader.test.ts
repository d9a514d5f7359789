import { describe, expect, it } from 'vitest';
import { ChecksumError, FrameError } from '../../src/errors.ts';
import { HdlcFrameReader, type HdlcFrame } from '../../src/dlms/hdlc-frame-reader.ts';
import { decodeFrame, decodeFrames } from '../../src/dlms/han-decoder.ts';
import { toHex } from '../../src/dlms/hex.ts';
import { buildFrame, buildSegments, concat, infoOf } from './hdlc-frame-builder.ts';
import { ownFixture } from './han-fixture-files.ts';

const aidon1 = ownFixture('aidon_3p_list1_1').bytes;
const aidon3 = ownFixture('aidon_3p_list3_1').bytes;
const kaifa2 = ownFixture('kaifa_3p_list2_1').bytes;

function readAll(chunks: Uint8Array[]): { frames: HdlcFrame[]; errors: Error[] } {
  const reader = new HdlcFrameReader();
  const frames: HdlcFrame[] = [];
  const errors: Error[] = [];
  for (const c of [...chunks.map((c) => reader.push(c)), reader.end()]) {
    frames.push(...c.frames);
    errors.push(...c.errors);
  }
  return { frames, errors };
}

describe('HdlcFrameReader', () => {
  it('returns several frames from one chunk', () => {
    const { frames, errors } = readAll([concat(aidon1, aidon3, kaifa2)]);
    expect(errors).toEqual([]);
    expect(frames.map((f) => toHex(f.raw))).toEqual([aidon1, aidon3, kaifa2].map((b) => toHex(b)));
  });

  it('assembles one frame pushed a byte at a time', () => {
    const reader = new HdlcFrameReader();
    const seen: HdlcFrame[] = [];
    for (let i = 0; i < aidon3.length; i++) {
      const out = reader.push(aidon3.subarray(i, i + 1));
      expect(out.errors).toEqual([]);
      if (i < aidon3.length - 1) expect(out.frames).toEqual([]);
      seen.push(...out.frames);
    }
    expect(seen).toHaveLength(1);
    expect(toHex(seen[0]!.raw)).toBe(toHex(aidon3));
  });

  it('accepts two frames sharing one flag', () => {
    const shared = concat(aidon1.subarray(0, aidon1.length - 1), kaifa2);
    const { frames, errors } = readAll([shared]);
    expect(errors).toEqual([]);
    expect(frames).toHaveLength(2);
    expect(toHex(frames[1]!.raw)).toBe(toHex(kaifa2));
  });

  it('frames by the length field: 0x7E inside the information field is data', () => {
    // octet-string containing flags, inside a valid Kaifa-style list 1 notification
    const info = Uint8Array.from([0xe6, 0xe7, 0x00, 0x0f, 0x40, 0x00, 0x00, 0x00, 0x00, 0x02, 0x01, 0x06, 0x00, 0x00, 0x7e, 0x7e]);
    const frame = buildFrame(info, { destination: [0x01], source: [0x02, 0x01], control: 0x10 });
    const { frames, errors } = readAll([frame]);
    expect(errors).toEqual([]);
    expect(toHex(frames[0]!.info)).toBe(toHex(info));
    expect(decodeFrame(frame).values.powerImportW).toBe(0x7e7e);
  });

  it('parses 1-4 byte addresses ending at the first byte with LSB 1', () => {
    const info = infoOf(kaifa2);
    const frame = buildFrame(info, { destination: [0x02, 0x04, 0x06, 0x01], source: [0x03] });
    const f = readAll([frame]).frames[0]!;
    expect(toHex(f.destination)).toBe('02040601');
    expect(toHex(f.source)).toBe('03');
    expect(readAll([buildFrame(info, { destination: [0x02, 0x04, 0x06, 0x08, 0x01] })]).errors[0]).toBeInstanceOf(FrameError);
  });

  it('resynchronises after garbage and a frame with a bad FCS, reporting both', () => {
    const bad = Uint8Array.from(kaifa2);
    bad[40] = bad[40]! ^ 0x01;
    const { frames, errors } = readAll([concat(Uint8Array.of(0x00, 0x13, 0x7e), bad, Uint8Array.of(0xa0, 0x55), aidon1)]);
    expect(frames.map((f) => toHex(f.raw))).toEqual([toHex(aidon1)]);
    expect(errors.some((e) => e instanceof ChecksumError)).toBe(true);
    expect(errors.some((e) => e instanceof FrameError)).toBe(true);
  });

  it('reports a bad HCS as ChecksumError with declared and computed values', () => {
    const bad = Uint8Array.from(aidon1);
    bad[8] = bad[8]! ^ 0xff; // first HCS byte (41 | 08 83 | 13 | HCS)
    const err = readAll([bad]).errors[0] as ChecksumError;
    expect(err).toBeInstanceOf(ChecksumError);
    expect(err.message).toMatch(/HCS/);
    expect(err.message).toContain(`(offset ${err.offset})`);
    expect(err.declared).not.toBe(err.computed);
  });

  it('reassembles segmented frames (S bit 0x0800) into one information field', () => {
    const info = infoOf(aidon3);
    const segments = buildSegments(info, 3, { destination: [0xcf], source: [0x02, 0x23], control: 0x03 });
    expect(segments[0]![1]! & 0x08).toBe(0x08);
    const { frames, errors } = readAll(segments);
    expect(errors).toEqual([]);
    expect(frames).toHaveLength(1);
    expect(frames[0]!.segmented).toBe(true);
    expect(frames[0]!.segmentCount).toBe(3);
    expect(toHex(frames[0]!.info)).toBe(toHex(info));
    expect(toHex(frames[0]!.raw)).toBe(toHex(concat(...segments)));
    // the reassembled push decodes like the unsegmented frame
    expect(decodeFrames(concat(...segments))).toEqual([decodeFrame(aidon3)]);
  });

  it('a lone first segment is a FrameError saying the continuation is missing', () => {
    const [first] = buildSegments(infoOf(aidon3), 2);
    expect(() => decodeFrames(first!)).toThrow(FrameError);
    expect(() => decodeFrames(first!)).toThrow(/final segment/);
  });

  it('drops pending segments when a frame from another address arrives', () => {
    const [first] = buildSegments(infoOf(aidon3), 2, { source: [0x05] });
    const { frames, errors } = readAll([first!, aidon1]);
    expect(frames.map((f) => toHex(f.raw))).toEqual([toHex(aidon1)]);
    expect(errors[0]).toBeInstanceOf(FrameError);
  });

  it('drops an endless chain of segments instead of buffering it', () => {
    const segment = buildFrame(new Uint8Array(1000), { segmented: true });
    const { frames, errors } = readAll(new Array(70).fill(segment));
    expect(frames).toEqual([]);
    expect(errors[0]!.message).toMatch(/exceeds 65536 bytes/);
  });

  it('reports a truncated frame at end()', () => {
    const { frames, errors } = readAll([aidon3.subarray(0, 100)]);
    expect(frames).toEqual([]);
    expect(errors[0]).toBeInstanceOf(FrameError);
    expect(errors[0]!.message).toMatch(/truncated/);
  });
});

describe('decodeFrames is strict', () => {
  it('decodes frames back to back', () => {
    expect(decodeFrames(concat(aidon1, kaifa2)).map((r) => r.vendor)).toEqual(['Aidon', 'Kaifa']);
  });

  it('rejects an empty body and a body without a frame', () => {
    expect(() => decodeFrames(new Uint8Array(0))).toThrow(FrameError);
    expect(() => decodeFrames(Uint8Array.of(1, 2, 3))).toThrow(FrameError);
  });

  it('throws on garbage between valid frames', () => {
    expect(() => decodeFrames(concat(aidon1, Uint8Array.of(0x55), kaifa2))).toThrow(FrameError);
  });

  it('decodeFrame refuses two frames', () => {
    expect(() => decodeFrame(concat(aidon1, kaifa2))).toThrow(/one HDLC frame/);
  });
});
