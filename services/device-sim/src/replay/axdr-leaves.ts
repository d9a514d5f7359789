/**
 * Finds where each value of a HAN push sits in the frame, so the replayer can rewrite clocks and
 * registers in place. Decoding proper is the protocol library's job; this only walks the A-XDR tags.
 */
export interface Leaf {
  tag: number;
  /** Offset of the value bytes (after tag and length) in the walked buffer. */
  at: number;
  length: number;
  /** Index of the enclosing structure/array item path, e.g. [0, 17] for the 18th item of the list. */
  path: number[];
}

const FIXED: Record<number, number> = {
  0x00: 0, 0x03: 1, 0x05: 4, 0x06: 4, 0x0f: 1, 0x10: 2, 0x11: 1, 0x12: 2, 0x14: 8, 0x15: 8,
  0x16: 1, 0x17: 4, 0x18: 8, 0x19: 12, 0x1a: 5, 0x1b: 4,
};

function readLength(b: Uint8Array, p: number): [number, number] {
  const first = b[p]!;
  if (first < 0x80) return [first, p + 1];
  let n = 0;
  const count = first & 0x7f;
  for (let i = 1; i <= count; i++) n = (n << 8) | b[p + i]!;
  return [n, p + 1 + count];
}

/** Walks one A-XDR Data value at `p`; returns the end offset, appending leaves. Throws on unknown tags. */
export function walkData(b: Uint8Array, p: number, leaves: Leaf[], path: number[] = []): number {
  const tag = b[p]!;
  if (tag === 0x01 || tag === 0x02) {
    const [count, after] = readLength(b, p + 1);
    let q = after;
    for (let i = 0; i < count; i++) q = walkData(b, q, leaves, [...path, i]);
    return q;
  }
  if (tag === 0x09 || tag === 0x0a || tag === 0x0c) {
    const [len, after] = readLength(b, p + 1);
    leaves.push({ tag, at: after, length: len, path });
    return after + len;
  }
  const size = FIXED[tag];
  if (size === undefined) throw new RangeError(`A-XDR tag 0x${tag.toString(16)} at ${p}`);
  leaves.push({ tag, at: p + 1, length: size, path });
  return p + 1 + size;
}

export interface ApduLayout {
  /** Offset of the 12 date-time bytes of the notification header, when present. */
  headerClockAt: number | undefined;
  leaves: Leaf[];
}

/** Layout of a data-notification `0F invoke-id(4) date-time body` starting at `p` (after the LLC header). */
export function apduLayout(b: Uint8Array, p: number): ApduLayout | undefined {
  if (b[p] !== 0x0f) return undefined;
  let q = p + 5;
  let headerClockAt: number | undefined;
  if (b[q] === 0x09 && b[q + 1] === 0x0c) {
    headerClockAt = q + 2;
    q += 14;
  } else if (b[q] === 0x0c) {
    headerClockAt = q + 1;
    q += 13;
  } else if (b[q] === 0x00) {
    q += 1;
  } else return undefined;
  const leaves: Leaf[] = [];
  try {
    walkData(b, q, leaves);
  } catch {
    return undefined;
  }
  return { headerClockAt, leaves };
}
