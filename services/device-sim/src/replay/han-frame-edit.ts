import { crc16X25 } from '@sem/meter-protocol';
import { apduLayout, type Leaf } from './axdr-leaves.ts';

/**
 * Where the clock and register values sit in one unsegmented, unencrypted HAN frame, so they can
 * be rewritten in place (same lengths) before the FCS is recomputed.
 */
export interface FrameMap {
  /** Offsets (in the raw frame) of 12-byte COSEM date-time values: the APDU header and list clocks. */
  clocks: number[];
  /** Whether the APDU header carries a date-time (Kaifa, Kamstrup; Aidon sends none). */
  headerClock: boolean;
  /** Register leaves by OBIS group C (1 = A+, 2 = A-, 3 = R+, 4 = R-): offset and byte size. */
  energy: Map<number, { at: number; size: number; tag: number }>;
  /** Instantaneous power in W or var by OBIS group C (1..4). */
  power: Map<number, number>;
  /** 1: a single power value; 3: carries energy registers; 2: anything else. */
  list: 1 | 2 | 3;
}

const NUMERIC = new Set([0x05, 0x06, 0x10, 0x12, 0x15, 0x11, 0x0f]);

function readUnsigned(raw: Uint8Array, at: number, size: number): number {
  let n = 0;
  for (let i = 0; i < size; i++) n = n * 256 + raw[at + i]!;
  return n;
}

export function writeUnsigned(raw: Uint8Array, at: number, size: number, value: number): void {
  let n = Math.max(0, Math.floor(value));
  for (let i = size - 1; i >= 0; i--) {
    raw[at + i] = n % 256;
    n = Math.floor(n / 256);
  }
}

function isObis(raw: Uint8Array, leaf: Leaf): boolean {
  return leaf.tag === 0x09 && leaf.length === 6;
}

function looksLikeClock(raw: Uint8Array, leaf: Leaf): boolean {
  if (leaf.length !== 12 || (leaf.tag !== 0x09 && leaf.tag !== 0x19)) return false;
  const year = (raw[leaf.at]! << 8) | raw[leaf.at + 1]!;
  const month = raw[leaf.at + 2]!;
  return year > 1990 && year < 2200 && month >= 1 && month <= 12;
}

/** Maps a frame; undefined for segmented, encrypted or unreadable frames (they are replayed as captured). */
export function mapFrame(raw: Uint8Array): FrameMap | undefined {
  if (raw[0] !== 0x7e || raw.at(-1) !== 0x7e) return undefined;
  const format = (raw[1]! << 8) | raw[2]!;
  if (format & 0x0800 || (format & 0x7ff) + 2 !== raw.length) return undefined;
  // Header: flag, format(2), destination and source addresses (end at LSB 1), control, HCS(2).
  let p = 3;
  while (p < raw.length && !(raw[p]! & 1)) p++;
  p++;
  while (p < raw.length && !(raw[p]! & 1)) p++;
  p++;
  p += 1 + 2;
  if (raw[p] !== 0xe6 || raw[p + 1] !== 0xe7 || raw[p + 2] !== 0x00) return undefined;
  const apdu = raw.subarray(0, raw.length - 3);
  const layout = apduLayout(apdu, p + 3);
  if (!layout) return undefined;
  const { leaves } = layout;
  const clocks = layout.headerClockAt === undefined ? [] : [layout.headerClockAt];
  const energy = new Map<number, { at: number; size: number; tag: number }>();
  const power = new Map<number, number>();
  const hasObis = leaves.some((l) => isObis(raw, l));
  leaves.forEach((leaf, i) => {
    if (looksLikeClock(raw, leaf)) clocks.push(leaf.at);
    if (!hasObis || !isObis(raw, leaf)) return;
    const [, , c, d, e] = raw.subarray(leaf.at, leaf.at + 6);
    const value = leaves[i + 1];
    if (!value || !NUMERIC.has(value.tag) || c! < 1 || c! > 4 || e !== 0) return;
    if (d === 8) energy.set(c!, { at: value.at, size: value.length, tag: value.tag });
    if (d === 7) power.set(c!, readUnsigned(raw, value.at, value.length));
  });
  const numbers = leaves.filter((l) => NUMERIC.has(l.tag));
  if (!hasObis) {
    // Kaifa KFM_001: positional. P+ P- Q+ Q- are the first four numbers; A+ A- R+ R- follow the clock.
    numbers.slice(0, 4).forEach((l, k) => power.set(k + 1, readUnsigned(raw, l.at, l.length)));
    const listClock = leaves.findIndex((l) => looksLikeClock(raw, l));
    if (listClock >= 0) {
      leaves
        .slice(listClock + 1)
        .filter((l) => NUMERIC.has(l.tag))
        .slice(0, 4)
        .forEach((l, k) => energy.set(k + 1, { at: l.at, size: l.length, tag: l.tag }));
    }
  }
  // Aidon lists carry a scaler/unit pair after each value: count OBIS codes there, not numbers.
  const items = hasObis ? leaves.filter((l) => isObis(raw, l)).length : numbers.length;
  const list = energy.size > 0 ? 3 : items === 1 ? 1 : 2;
  return { clocks, headerClock: layout.headerClockAt !== undefined, energy, power, list };
}

export function readRegister(raw: Uint8Array, slot: { at: number; size: number }): number {
  return readUnsigned(raw, slot.at, slot.size);
}

/** Recomputes the FCS of an unsegmented frame after an in-place edit (the header and its HCS are untouched). */
export function refreshFcs(raw: Uint8Array): void {
  const fcsAt = raw.length - 3;
  const fcs = crc16X25(raw, 1, fcsAt);
  raw[fcsAt] = fcs & 0xff;
  raw[fcsAt + 1] = fcs >> 8;
}
