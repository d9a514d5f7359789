/** A-XDR decoding of the COSEM `Data` CHOICE (IEC 62056-6-2), the body of every HAN push. */
import { FrameError, UnsupportedError } from '../errors.ts';

export type CosemNumberType =
  | 'double-long'
  | 'double-long-unsigned'
  | 'integer'
  | 'long'
  | 'unsigned'
  | 'long-unsigned'
  | 'enum'
  | 'float32'
  | 'float64'
  | 'bcd';

export type CosemValue =
  | { type: 'null' }
  | { type: 'array' | 'structure'; items: CosemValue[] }
  | { type: 'boolean'; value: boolean }
  | { type: 'bit-string'; bitLength: number; bytes: Uint8Array }
  | { type: CosemNumberType; value: number }
  | { type: 'long64' | 'long64-unsigned'; value: bigint }
  | { type: 'octet-string'; bytes: Uint8Array }
  | { type: 'visible-string' | 'utf8-string'; value: string }
  | { type: 'date-time' | 'date' | 'time'; bytes: Uint8Array };

/** A cursor over bytes; every read checks bounds and throws FrameError past the end. */
export class ByteCursor {
  readonly bytes: Uint8Array;
  pos: number;
  readonly end: number;
  readonly #view: DataView;

  constructor(bytes: Uint8Array, pos = 0, end = bytes.length) {
    this.bytes = bytes;
    this.pos = pos;
    this.end = end;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  need(n: number, what: string): void {
    if (n > this.remaining) {
      throw new FrameError(`truncated ${what}: needs ${n} bytes, ${this.remaining} left`, { offset: this.pos });
    }
  }

  u8(what = 'byte'): number {
    this.need(1, what);
    return this.bytes[this.pos++]!;
  }

  take(n: number, what: string): Uint8Array {
    this.need(n, what);
    const out = this.bytes.slice(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** Reads a fixed-size number through DataView (big-endian, as A-XDR is). */
  read<T>(n: number, what: string, f: (v: DataView, at: number) => T): T {
    this.need(n, what);
    const v = f(this.#view, this.pos);
    this.pos += n;
    return v;
  }

  /** A-XDR length: one byte below 0x80, else 0x8N followed by N big-endian bytes. */
  length(what: string): number {
    const first = this.u8(`${what} length`);
    if (first < 0x80) return first;
    const n = first & 0x7f;
    if (n === 0 || n > 3) throw new FrameError(`bad A-XDR length prefix 0x${first.toString(16)} for ${what}`, { offset: this.pos - 1 });
    let len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + this.u8(`${what} length`);
    return len;
  }
}

const NUMBER_TAGS: Record<number, [CosemNumberType, number, (v: DataView, at: number) => number]> = {
  0x05: ['double-long', 4, (v, at) => v.getInt32(at)],
  0x06: ['double-long-unsigned', 4, (v, at) => v.getUint32(at)],
  0x0f: ['integer', 1, (v, at) => v.getInt8(at)],
  0x10: ['long', 2, (v, at) => v.getInt16(at)],
  0x11: ['unsigned', 1, (v, at) => v.getUint8(at)],
  0x12: ['long-unsigned', 2, (v, at) => v.getUint16(at)],
  0x16: ['enum', 1, (v, at) => v.getUint8(at)],
  0x17: ['float32', 4, (v, at) => v.getFloat32(at)],
  0x18: ['float64', 8, (v, at) => v.getFloat64(at)],
};

const MAX_DEPTH = 16;

/** Decodes one tagged `Data` value at the cursor. */
export function readData(c: ByteCursor, depth = 0): CosemValue {
  const at = c.pos;
  const tag = c.u8('data tag');
  const num = NUMBER_TAGS[tag];
  if (num) {
    const [type, size, f] = num;
    return { type, value: c.read(size, type, f) };
  }
  switch (tag) {
    case 0x00:
      return { type: 'null' };
    case 0x01:
    case 0x02: {
      const type = tag === 0x01 ? 'array' : 'structure';
      if (depth >= MAX_DEPTH) throw new FrameError(`COSEM data nested deeper than ${MAX_DEPTH}`, { offset: at });
      const count = c.length(type);
      // every element takes at least one byte: refuse counts the input cannot hold
      if (count > c.remaining) throw new FrameError(`${type} of ${count} items in ${c.remaining} bytes`, { offset: at });
      const items: CosemValue[] = [];
      for (let i = 0; i < count; i++) items.push(readData(c, depth + 1));
      return { type, items };
    }
    case 0x03:
      return { type: 'boolean', value: c.u8('boolean') !== 0 };
    case 0x04: {
      const bitLength = c.length('bit-string');
      return { type: 'bit-string', bitLength, bytes: c.take(Math.ceil(bitLength / 8), 'bit-string') };
    }
    case 0x09:
      return { type: 'octet-string', bytes: c.take(c.length('octet-string'), 'octet-string') };
    case 0x0a:
      return { type: 'visible-string', value: latin1(c.take(c.length('visible-string'), 'visible-string')) };
    case 0x0c:
      return { type: 'utf8-string', value: new TextDecoder().decode(c.take(c.length('utf8-string'), 'utf8-string')) };
    case 0x0d:
      return { type: 'bcd', value: bcd(c.u8('bcd')) };
    case 0x14:
      return { type: 'long64', value: c.read(8, 'long64', (v, i) => v.getBigInt64(i)) };
    case 0x15:
      return { type: 'long64-unsigned', value: c.read(8, 'long64-unsigned', (v, i) => v.getBigUint64(i)) };
    case 0x19:
      return { type: 'date-time', bytes: c.take(12, 'date-time') };
    case 0x1a:
      return { type: 'date', bytes: c.take(5, 'date') };
    case 0x1b:
      return { type: 'time', bytes: c.take(4, 'time') };
    case 0x13:
      throw new UnsupportedError('COSEM compact-array is not supported', { offset: at });
    default:
      throw new FrameError(`unknown COSEM data tag 0x${tag.toString(16).padStart(2, '0')}`, { offset: at });
  }
}

/** One BCD byte: two decimal digits (a nibble above 9 is not BCD). */
function bcd(b: number): number {
  const hi = b >> 4;
  const lo = b & 0x0f;
  if (hi > 9 || lo > 9) throw new FrameError(`0x${b.toString(16)} is not a BCD byte`);
  return hi * 10 + lo;
}

export function latin1(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
}

/** Number value of an integer-like COSEM value, or null (bigint above 2^53 stays exact only as text). */
export function numericValue(v: CosemValue): number | bigint | null {
  switch (v.type) {
    case 'double-long':
    case 'double-long-unsigned':
    case 'integer':
    case 'long':
    case 'unsigned':
    case 'long-unsigned':
    case 'enum':
    case 'float32':
    case 'float64':
    case 'bcd':
    case 'long64':
    case 'long64-unsigned':
      return v.value;
    default:
      return null;
  }
}

/** Printable text of an octet-string when every byte is printable ASCII, else null. */
export function printable(bytes: Uint8Array): string | null {
  for (const b of bytes) if (b < 0x20 || b > 0x7e) return null;
  return latin1(bytes);
}
