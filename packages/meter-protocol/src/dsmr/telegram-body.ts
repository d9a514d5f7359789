/**
 * Scans the lines of a telegram body into OBIS objects and their value groups `(...)`, with
 * byte reads and index pairs only; a line starting with '(' continues the previous object
 * (DSMR 2.2/3 gas profile). Each complete object goes to applyObject.
 */
import { FrameError } from '../errors.ts';
import type { Reading } from '../reading.ts';
import { applyObject, finishReading } from './p1-apply.ts';
import { loaded } from './telegram-bytes.ts';
import { BodyContext, MAX_GROUPS } from './body-context.ts';

const LF = 0x0a;
const CR = 0x0d;
const OPEN = 0x28;
const CLOSE = 0x29;
const shared = new BodyContext();

/**
 * Parses the OBIS code at bytes[start] (before `end`) into the context in one pass; returns the
 * index of the first '(' or -1 when the line is not an OBIS object. Accepts an F group as `*255` or
 * `.255` (EasyMeter Q3D); each group has 1-3 digits.
 */
function parseObis(ctx: BodyContext, bytes: Uint8Array, start: number, end: number): number {
  let field = 0;
  let value = 0;
  let digits = 0;
  let i = start;
  // fast path for the usual single-digit `A-B:` prefix (1-0:, 0-0:, 0-1:)
  const a = bytes[start]! - 0x30;
  const b = bytes[start + 2]! - 0x30;
  if (a >= 0 && a <= 9 && b >= 0 && b <= 9 && bytes[start + 1] === 0x2d && bytes[start + 3] === 0x3a && start + 4 < end) {
    ctx.a = a;
    ctx.b = b;
    field = 2;
    i = start + 4;
  }
  for (; i < end; i++) {
    const ch = bytes[i]!;
    if (ch >= 0x30 && ch <= 0x39) {
      if (++digits > 3) return -1;
      value = value * 10 + (ch - 0x30);
      continue;
    }
    if (digits === 0) return -1;
    switch (field) {
      case 0:
        if (ch !== 0x2d) return -1;
        ctx.a = value;
        break;
      case 1:
        if (ch !== 0x3a) return -1;
        ctx.b = value;
        break;
      case 2:
        if (ch !== 0x2e) return -1;
        ctx.c = value;
        break;
      case 3:
        if (ch !== 0x2e) return -1;
        ctx.d = value;
        break;
      case 4:
        ctx.e = value;
        if (ch === OPEN) return i;
        if (ch !== 0x2a && ch !== 0x2e) return -1;
        break;
      default:
        return ch === OPEN ? i : -1;
    }
    field++;
    value = 0;
    digits = 0;
  }
  return -1;
}

/**
 * Appends the groups `(..)(..)` from bytes[at] (a '(') to the end of the line, in one pass over the
 * bytes (cheaper than an indexOf call per line and per group). Returns the index of the line's LF
 * (or `to`), or -1 when the line is not only groups; the caller then re-reads the line to report it.
 */
function scanGroups(ctx: BodyContext, bytes: Uint8Array, at: number, to: number): number {
  const groups = ctx.groups;
  let n = ctx.groupCount;
  let i = at;
  for (;;) {
    if (bytes[i] !== OPEN || n >= MAX_GROUPS) return -1;
    let close = i + 1;
    for (;;) {
      // ')' (0x29), LF and the '!' at `to` are all <= 0x29: one compare per byte of the usual value
      while (bytes[close]! > CLOSE) close++;
      const c = bytes[close]!;
      if (c === CLOSE || c === LF || close >= to) break;
      close++;
    }
    if (bytes[close] !== CLOSE || close >= to) return -1;
    groups[2 * n] = i + 1;
    groups[2 * n + 1] = close;
    n++;
    i = close + 1;
    if (i >= to) break;
    const c = bytes[i]!;
    if (c === LF) break;
    if (c === CR && (i + 1 === to || bytes[i + 1] === LF)) {
      i++;
      break;
    }
  }
  ctx.groupCount = n;
  return i;
}

/** Index of the LF ending the line at `start`, or `to`. */
function lineFeed(text: string, start: number, to: number): number {
  const lf = text.indexOf('\n', start);
  return lf < 0 || lf > to ? to : lf;
}

/** End of the line [start, lf) without its CR. */
function lineEnd(bytes: Uint8Array, start: number, lf: number): number {
  return lf > start && bytes[lf - 1] === CR ? lf - 1 : lf;
}

function badLine(ctx: BodyContext, lineNo: number, start: number, end: number, what: string): void {
  const line = ctx.text.slice(start, end);
  if (ctx.strict) {
    throw new FrameError(`line ${lineNo} (offset ${start}): ${what}: ${JSON.stringify(line.slice(0, 80))}`, { offset: start });
  }
  ctx.reading.raw.push({ obis: '', value: line });
}

/**
 * Decodes the lines in text[from, to) (after the header line, before '!') into the reading, reading
 * the bytes loadTelegram left in `loaded`; the telegram's '/' is at 0.
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
  const bytes = loaded.bytes;
  ctx.reset(text, bytes, timeZone, reading, strict);
  let pending = false;
  let lineNo = firstLine - 1;
  let i = from;
  while (i < to) {
    const start = i;
    lineNo++;
    const first = bytes[start]!;
    if (first === LF || (first === CR && (start + 1 === to || bytes[start + 1] === LF))) {
      i = first === LF ? start + 1 : start + 2; // empty line
      continue;
    }
    if (first === OPEN && pending) {
      // continuation of the previous object's groups on a new line
      const lf = scanGroups(ctx, bytes, start, to);
      if (lf < 0) {
        const bad = lineFeed(text, start, to);
        i = bad + 1;
        pending = false;
        ctx.groupCount = 0;
        badLine(ctx, lineNo, start, lineEnd(bytes, start, bad), 'malformed continuation line');
        continue;
      }
      i = lf + 1;
      ctx.multiLine = true;
      ctx.valueEnd = lineEnd(bytes, start, lf);
      continue;
    }
    if (pending) {
      applyObject(ctx);
      pending = false;
    }
    ctx.groupCount = 0;
    // parseObis stops at the first byte that is no part of an OBIS code, so `to` bounds it like the line end
    const open = first === CR ? -1 : parseObis(ctx, bytes, start, to);
    const lf = open < 0 ? -1 : scanGroups(ctx, bytes, open, to);
    if (lf < 0) {
      const bad = lineFeed(text, start, to);
      const end = lineEnd(bytes, start, bad);
      i = bad + 1;
      ctx.groupCount = 0;
      if (open < 0) badLine(ctx, lineNo, start, end, 'not an OBIS object');
      else if (ctx.strict) badLine(ctx, lineNo, start, end, 'malformed value groups');
      else reading.raw.push({ obis: ctx.obis(), value: text.slice(open, end) });
      continue;
    }
    i = lf + 1;
    ctx.objectCount++;
    ctx.valueStart = open;
    ctx.valueEnd = lineEnd(bytes, start, lf);
    ctx.multiLine = false;
    pending = true;
  }
  if (pending) applyObject(ctx);
  finishReading(ctx);
  ctx.text = ''; // do not keep the caller's body alive until the next decode
  return ctx;
}
