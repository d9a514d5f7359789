import { standardWallTime, wallTime } from '../time/zone-clock.ts';
import { mapFrame, readRegister, refreshFcs, writeUnsigned, type FrameMap } from './han-frame-edit.ts';

/**
 * Replays captured HAN frames with a live meter's cadence (list 1 every 2 s, list 2 every 10 s,
 * list 3 ten seconds after every hour), rewriting COSEM clocks to now and growing the energy
 * registers by the replayed power, then recomputing the FCS. Encrypted and segmented frames
 * cannot be edited and are sent as captured.
 */
export interface HanReplayOptions {
  zone: string;
  /** kWh per register unit (Kaifa 0.001, Aidon/Kamstrup Norway 0.01); by default read from the decoder. */
  kwhPerUnit: (frame: Uint8Array) => number | undefined;
  /** Whether this meter keeps standard (winter) time all year (Kamstrup); otherwise local time with DST. */
  standardTime?: (frame: Uint8Array) => boolean;
}

interface Template {
  raw: Uint8Array;
  map: FrameMap | undefined;
  list: 1 | 2 | 3;
  standardTime: boolean;
}

export const HAN_CADENCE_MS = { 1: 2_000, 2: 10_000, 3: 3_600_000 } as const;
const LIST3_OFFSET_MS = 10_000;
const HOUR_MS = 3_600_000;

/** Writes a COSEM date-time in place, keeping the meter's choices for unset fields and deviation sign. */
export function writeCosemClock(raw: Uint8Array, at: number, zone: string, ms: number, standardTime = false, onTheMinute = false): void {
  const w = standardTime ? standardWallTime(zone, new Date(ms)) : wallTime(zone, new Date(ms));
  const keepSecondsZero = onTheMinute && raw[at + 7] === 0;
  raw[at] = w.year >> 8;
  raw[at + 1] = w.year & 0xff;
  raw[at + 2] = w.month;
  raw[at + 3] = w.day;
  if (raw[at + 4] !== 0xff) raw[at + 4] = w.weekday;
  raw[at + 5] = w.hour;
  raw[at + 6] = w.minute;
  raw[at + 7] = keepSecondsZero ? 0 : w.second;
  if (raw[at + 8] !== 0xff) raw[at + 8] = 0;
  const dev = (raw[at + 9]! << 8) | raw[at + 10]!;
  if (dev !== 0x8000) {
    const signed = dev > 0x7fff ? dev - 0x10000 : dev;
    // Blue Book says UTC = local + deviation (CET = -60); some meters send +60. Keep the meter's sign.
    const value = signed > 0 ? w.offsetMinutes : -w.offsetMinutes;
    const u = value < 0 ? value + 0x10000 : value;
    raw[at + 9] = u >> 8;
    raw[at + 10] = u & 0xff;
  }
  if (raw[at + 11] !== 0xff) raw[at + 11] = (raw[at + 11]! & 0x7f) | (w.dst ? 0x80 : 0);
}

export class HanReplayer {
  private readonly templates: Template[];
  private readonly options: HanReplayOptions;
  private readonly cursor = new Map<number, number>();
  /** Register values in register units, by OBIS group C. */
  private readonly registers = new Map<number, number>();
  private readonly powerW = new Map<number, number>();
  private kwhPerUnit: number | undefined;
  private lastMs: number | undefined;

  constructor(frames: readonly Uint8Array[], options: HanReplayOptions) {
    if (frames.length === 0) throw new RangeError('no HAN frame to replay');
    this.options = options;
    this.templates = frames.map((raw) => {
      const map = mapFrame(raw);
      return { raw, map, list: map?.list ?? 2, standardTime: options.standardTime?.(raw) ?? false };
    });
    for (const t of this.templates) {
      for (const [c, w] of t.map?.power ?? []) if (!this.powerW.has(c)) this.powerW.set(c, w);
    }
  }

  /** The lists this capture has, each with its cadence. */
  get lists(): (1 | 2 | 3)[] {
    return [...new Set(this.templates.map((t) => t.list))].sort();
  }

  /** When list `list` is next due at or after `fromMs`; `first` is the first tick of a run. */
  static nextDue(list: 1 | 2 | 3, fromMs: number, startMs: number): number {
    if (list === 3) {
      const slot = Math.floor((fromMs - LIST3_OFFSET_MS) / HOUR_MS) * HOUR_MS + LIST3_OFFSET_MS;
      return slot >= fromMs ? slot : slot + HOUR_MS;
    }
    const step = HAN_CADENCE_MS[list];
    return startMs + Math.ceil((fromMs - startMs) / step) * step;
  }

  /** The next frame of `list`, as the meter would send it at `atMs`. */
  next(list: 1 | 2 | 3, atMs: number): Uint8Array {
    const pool = this.templates.filter((t) => t.list === list);
    const k = this.cursor.get(list) ?? 0;
    this.cursor.set(list, (k + 1) % pool.length);
    const t = pool[k % pool.length]!;
    this.advance(atMs);
    if (!t.map) return t.raw.slice();
    const raw = t.raw.slice();
    // Aidon stamps list 3 on the whole minute and has no other clock; where the header carries one
    // (Kaifa, Kamstrup) every clock reads the send time, or list 3 would share a meter time with the list before it.
    for (const at of t.map.clocks) writeCosemClock(raw, at, this.options.zone, atMs, t.standardTime, !t.map.headerClock);
    if (t.map.energy.size > 0) {
      this.kwhPerUnit ??= this.options.kwhPerUnit(t.raw);
      for (const [c, slot] of t.map.energy) {
        if (!this.registers.has(c)) this.registers.set(c, readRegister(t.raw, slot));
        writeUnsigned(raw, slot.at, slot.size, this.registers.get(c)!);
      }
    }
    for (const [c, w] of t.map.power) this.powerW.set(c, w);
    refreshFcs(raw);
    return raw;
  }

  private advance(atMs: number): void {
    const dtHours = this.lastMs === undefined ? 0 : Math.max(0, atMs - this.lastMs) / HOUR_MS;
    this.lastMs = atMs;
    if (!this.kwhPerUnit || dtHours === 0) return;
    for (const [c, value] of this.registers) {
      const w = this.powerW.get(c) ?? 0;
      this.registers.set(c, value + (w * dtHours) / 1000 / this.kwhPerUnit);
    }
  }
}

/** The wall-clock-aligned start of list 3 slots, exported for tests. */
export const LIST3_SLOT = { offsetMs: LIST3_OFFSET_MS, periodMs: HOUR_MS };
