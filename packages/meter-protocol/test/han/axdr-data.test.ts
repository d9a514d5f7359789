import { describe, expect, it } from 'vitest';
import { FrameError, UnsupportedError } from '../../src/errors.ts';
import { ByteCursor, readData } from '../../src/dlms/axdr-data.ts';
import { applyScaler, unitText } from '../../src/dlms/cosem-units.ts';

const read = (...bytes: number[]) => {
  const c = new ByteCursor(Uint8Array.from(bytes));
  const v = readData(c);
  expect(c.remaining).toBe(0);
  return v;
};

describe('A-XDR Data', () => {
  it('decodes every simple type', () => {
    expect(read(0x00)).toEqual({ type: 'null' });
    expect(read(0x03, 0x01)).toEqual({ type: 'boolean', value: true });
    expect(read(0x04, 0x0c, 0xab, 0xc0)).toEqual({ type: 'bit-string', bitLength: 12, bytes: Uint8Array.of(0xab, 0xc0) });
    expect(read(0x05, 0xff, 0xff, 0xff, 0xfe)).toEqual({ type: 'double-long', value: -2 });
    expect(read(0x06, 0xff, 0xff, 0xff, 0xfe)).toEqual({ type: 'double-long-unsigned', value: 4294967294 });
    expect(read(0x09, 0x02, 0x41, 0x42)).toEqual({ type: 'octet-string', bytes: Uint8Array.of(0x41, 0x42) });
    expect(read(0x0a, 0x03, 0x36, 0x35, 0x32)).toEqual({ type: 'visible-string', value: '652' });
    expect(read(0x0c, 0x02, 0xc3, 0xa5)).toEqual({ type: 'utf8-string', value: 'å' });
    expect(read(0x0d, 0x42)).toEqual({ type: 'bcd', value: 42 });
    expect(read(0x0f, 0xff)).toEqual({ type: 'integer', value: -1 });
    expect(read(0x10, 0xff, 0x38)).toEqual({ type: 'long', value: -200 });
    expect(read(0x11, 0xc8)).toEqual({ type: 'unsigned', value: 200 });
    expect(read(0x12, 0x09, 0x49)).toEqual({ type: 'long-unsigned', value: 2377 });
    expect(read(0x14, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfd)).toEqual({ type: 'long64', value: -3n });
    expect(read(0x15, 0x80, 0, 0, 0, 0, 0, 0, 1)).toEqual({ type: 'long64-unsigned', value: 2n ** 63n + 1n });
    expect(read(0x16, 0x1b)).toEqual({ type: 'enum', value: 27 });
    expect(read(0x17, 0x40, 0x49, 0x0f, 0xdb)).toEqual({ type: 'float32', value: Math.fround(Math.PI) });
    expect(read(0x18, 0x40, 0x09, 0x21, 0xfb, 0x54, 0x44, 0x2d, 0x18)).toEqual({ type: 'float64', value: Math.PI });
  });

  it('decodes date-time, date and time', () => {
    const dt = [0x07, 0xe3, 0x06, 0x0c, 0x03, 0x12, 0x00, 0x00, 0xff, 0x00, 0x3c, 0x00];
    expect(read(0x19, ...dt)).toEqual({ type: 'date-time', bytes: Uint8Array.from(dt) });
    expect(read(0x1a, 0x07, 0xe5, 0x03, 0x19, 0x04)).toEqual({ type: 'date', bytes: Uint8Array.of(0x07, 0xe5, 0x03, 0x19, 0x04) });
    expect(read(0x1b, 0x13, 0x01, 0x0e, 0x00)).toEqual({ type: 'time', bytes: Uint8Array.of(0x13, 0x01, 0x0e, 0x00) });
  });

  it('decodes nested arrays and structures, and long-form lengths', () => {
    const v = read(0x01, 0x01, 0x02, 0x02, 0x0f, 0xff, 0x16, 0x23);
    expect(v).toEqual({ type: 'array', items: [{ type: 'structure', items: [{ type: 'integer', value: -1 }, { type: 'enum', value: 35 }] }] });
    const long = read(0x09, 0x81, 0x80, ...new Array(128).fill(7));
    expect(long.type === 'octet-string' && long.bytes.length).toBe(128);
  });

  it('rejects truncation, unknown tags and impossible counts with FrameError', () => {
    expect(() => read(0x06, 0x00, 0x01)).toThrow(FrameError);
    expect(() => read(0x09, 0x05, 0x41)).toThrow(FrameError);
    expect(() => read(0x07)).toThrow(/unknown COSEM data tag 0x07/);
    expect(() => read(0x01, 0x7f, 0x00)).toThrow(FrameError);
    expect(() => read(0x0d, 0x4a)).toThrow(FrameError);
    expect(() => read(0x13, 0x00)).toThrow(UnsupportedError);
  });

  it('refuses nesting deeper than 16', () => {
    expect(() => read(...new Array(40).fill([0x02, 0x01]).flat(), 0x00)).toThrow(/nested/);
  });
});

describe('scalers and units', () => {
  it('applies 10^scaler without float noise', () => {
    expect(applyScaler(3, -1)).toBe(0.3); // 3 * 0.1 would be 0.30000000000000004
    expect(applyScaler(2377, -1)).toBe(237.7);
    expect(applyScaler(892, -3)).toBe(0.892);
    expect(applyScaler(8582328, 1)).toBe(85823280);
    expect(applyScaler(8582328, -2)).toBe(85823.28);
    expect(applyScaler(-48, -1)).toBe(-4.8);
    expect(applyScaler(2n ** 40n, 0)).toBe(2 ** 40);
  });

  it('maps DLMS unit codes to text', () => {
    expect([27, 28, 29, 30, 31, 32, 33, 35, 44, 255].map(unitText)).toEqual(['W', 'VA', 'var', 'Wh', 'VAh', 'varh', 'A', 'V', 'Hz', '']);
    expect(unitText(200)).toBe('unit#200');
  });
});
