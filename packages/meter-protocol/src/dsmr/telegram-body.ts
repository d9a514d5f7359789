/**
 * Scans the lines of a telegram body into OBIS objects and their value groups `(...)`, with
 * charCodeAt and index pairs only; a line starting with '(' continues the previous object
 * (DSMR 2.2/3 gas profile). Each complete object goes to applyObject.
 */
import { FrameError } from '../errors.ts';
import type { Reading } from '../reading.ts';
import { applyObject, finishReading } from './p1-apply.ts';

const LF = 0x0a;
const CR = 0x0d;
const OPEN = 0x28;
const CLOSE = 0x29;
const MAX_GROUPS = 256;

/** Everything the object handlers need about the object being decoded. */
export class BodyContext {
  text = '';
  timeZone = '';
  reading!: Reading;
  /** No CRC vouches for the bytes: malformed lines are errors instead of raw entries. */
  strict = false;
  /** Start and end (exclusive, at ')') of each value group: [s0, e0, s1, e1, ...]. */
  readonly groups = new Int32Array(MAX_GROUPS * 2);
  groupCount = 0;
  a = 0;
  b = 0;
  c = 0;
  d = 0;
  e = 0;
  /** Where the object's first '(' is, and whether its groups span lines. */
  valueStart = 0;
  valueEnd = 0;
  multiLine = false;
  hasClock = false;
  hasVersion = false;
  objectCount = 0;
  /** Equipment id candidates: rank, OBIS, text after the code, decoded id. */
  ids: { rank: number; obis: string; value: string; id: string | null }[] = [];
  /** Exact mantissa/decimals of the tariff registers, to sum them without float noise. */
  readonly tariffRegisters = new Float64Array(8);
  tariffMask = 0;

  reset(text: string, timeZone: string, reading: Reading, strict: boolean): void {
    this.text = text;
    this.timeZone = timeZone;
    this.reading = reading;
    this.strict = strict;
    this.groupCount = 0;
    this.hasClock = false;
    this.hasVersion = false;
    this.objectCount = 0;
    if (this.ids.length > 0) this.ids = [];
    this.tariffMask = 0;
  }

  /** The OBIS code as A-B:C.D.E (an F group the meter sent is dropped). */
  obis(): string {
    return `${this.a}-${this.b}:${this.c}.${this.d}.${this.e}`;
  }

  /** The text after the OBIS code, as sent (groups of continuation lines joined). */
  rawValue(): string {
    if (!this.multiLine) return this.text.slice(this.valueStart, this.valueEnd);
    let value = '';
    for (let k = 0; k < this.groupCount; k++) value += `(${this.group(k)})`;
    return value;
  }

  group(k: number): string {
    return this.text.slice(this.groups[2 * k]!, this.groups[2 * k + 1]!);
  }

  keepRaw(): void {
    this.reading.raw.push({ obis: this.obis(), value: this.rawValue() });
  }
}

const shared = new BodyContext();

/** Reads digits at `at`; returns the value and leaves the next index in `scanEnd`, or -1. */
let scanEnd = 0;
function digits(text: string, at: number, end: number): number {
  let value = 0;
  let i = at;
  for (; i < end && i - at < 4; i++) {
    const c = text.charCodeAt(i) - 0x30;
    if (c < 0 || c > 9) break;
    value = value * 10 + c;
  }
  scanEnd = i;
  return i === at ? -1 : value;
}

/**
 * Parses the OBIS code at the start of line [start, end) into the context; returns the index of
 * the first '(' or -1 when the line is not an OBIS object. Accepts an F group as `*255` or `.255`.
 */
function parseObis(ctx: BodyContext, text: string, start: number, end: number): number {
  const a = digits(text, start, end);
  if (a < 0 || text.charCodeAt(scanEnd) !== 0x2d) return -1;
  const b = digits(text, scanEnd + 1, end);
  if (b < 0 || text.charCodeAt(scanEnd) !== 0x3a) return -1;
  const c = digits(text, scanEnd + 1, end);
  if (c < 0 || text.charCodeAt(scanEnd) !== 0x2e) return -1;
  const d = digits(text, scanEnd + 1, end);
  if (d < 0 || text.charCodeAt(scanEnd) !== 0x2e) return -1;
  const e = digits(text, scanEnd + 1, end);
  if (e < 0) return -1;
  let i = scanEnd;
  const sep = text.charCodeAt(i);
  if (sep === 0x2a || sep === 0x2e) {
    if (digits(text, i + 1, end) < 0) return -1;
    i = scanEnd;
  }
  if (i >= end || text.charCodeAt(i) !== OPEN) return -1;
  ctx.a = a;
  ctx.b = b;
  ctx.c = c;
  ctx.d = d;
  ctx.e = e;
  return i;
}

/** Appends the groups `(..)(..)` in [at, end) to the context; false if the line is not only groups. */
function parseGroups(ctx: BodyContext, text: string, at: number, end: number): boolean {
  const groups = ctx.groups;
  let n = ctx.groupCount;
  let i = at;
  while (i < end) {
    if (text.charCodeAt(i) !== OPEN) return false;
    const close = text.indexOf(')', i + 1);
    if (close < 0 || close >= end || n >= MAX_GROUPS) return false;
    groups[2 * n] = i + 1;
    groups[2 * n + 1] = close;
    n++;
    i = close + 1;
  }
  ctx.groupCount = n;
  return true;
}

function badLine(ctx: BodyContext, lineNo: number, start: number, end: number, what: string): void {
  const line = ctx.text.slice(start, end);
  if (ctx.strict) {
    throw new FrameError(`line ${lineNo} (offset ${start}): ${what}: ${JSON.stringify(line.slice(0, 80))}`, { offset: start });
  }
  ctx.reading.raw.push({ obis: '', value: line });
}

/**
 * Decodes the lines in text[from, to) (after the header line, before '!') into the reading.
 * `firstLine` is the 1-based number of the line at `from`, for error messages.
 */
export function decodeBody(
  text: string,
  from: number,
  to: number,
  firstLine: number,
  reading: Reading,
  timeZone: string,
  strict: boolean,
): BodyContext {
  const ctx = shared;
  ctx.reset(text, timeZone, reading, strict);
  let pending = false;
  let lineNo = firstLine - 1;
  let i = from;
  while (i < to) {
    let lf = text.indexOf('\n', i);
    if (lf < 0 || lf > to) lf = to;
    let end = lf;
    if (end > i && text.charCodeAt(end - 1) === CR) end--;
    const start = i;
    i = lf + 1;
    lineNo++;
    if (end === start) continue;
    const first = text.charCodeAt(start);
    if (first === OPEN && pending) {
      // continuation of the previous object's groups on a new line
      if (!parseGroups(ctx, text, start, end)) {
        pending = false;
        ctx.groupCount = 0;
        badLine(ctx, lineNo, start, end, 'malformed continuation line');
        continue;
      }
      ctx.multiLine = true;
      ctx.valueEnd = end;
      continue;
    }
    if (pending) {
      applyObject(ctx);
      pending = false;
    }
    ctx.groupCount = 0;
    const open = first === CR || first === LF ? -1 : parseObis(ctx, text, start, end);
    if (open < 0) {
      badLine(ctx, lineNo, start, end, 'not an OBIS object');
      continue;
    }
    if (!parseGroups(ctx, text, open, end)) {
      ctx.groupCount = 0;
      if (ctx.strict) badLine(ctx, lineNo, start, end, 'malformed value groups');
      else reading.raw.push({ obis: ctx.obis(), value: text.slice(open, end) });
      continue;
    }
    ctx.objectCount++;
    ctx.valueStart = open;
    ctx.valueEnd = end;
    ctx.multiLine = false;
    pending = true;
  }
  if (pending) applyObject(ctx);
  finishReading(ctx);
  return ctx;
}
