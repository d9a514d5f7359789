/**
 * Cuts a P1 byte stream into whole telegrams: '/' through '!' and the CRC hex digits.
 *
 * End-of-telegram rule (the CRC has 4, 1-3 unpadded, or 0 hex digits, and anything may follow):
 * - after '!', upper-case hex digits are collected; the 4th digit ends the telegram at once;
 * - with 1-3 digits, the first non-hex character ends it (that character is not part of it);
 * - with 0 digits (DSMR 2.2/3, EasyMeter Q3D), the next character must be CR, LF or '/', else the
 *   '!' is taken as damage and the telegram is dropped; a bare '!' at the very end of the stream
 *   is only emitted by `flush()`, because more digits could still arrive.
 * Resynchronisation: outside a telegram, everything up to a '/' is skipped; inside one, a '/' at
 * the start of a line starts over (the earlier part was truncated). A telegram longer than
 * MAX_TELEGRAM_LENGTH is dropped. Whatever splits the chunks, the output is the same.
 */

/** Longest accepted telegram in characters; real ones are 0.3-3 kB. */
export const MAX_TELEGRAM_LENGTH = 16_384;

const SLASH = 0x2f;
const LF = 0x0a;
const CR = 0x0d;

const HUNT = 0;
const BODY = 1;
const CRC = 2;

/** CRC digits are upper-case hex: a lower-case letter ends the CRC like any other character. */
function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46);
}

/** Bytes to a latin1 string (one char per byte), in slices to stay under the argument limit. */
export function latin1(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i += 8192) {
    text += String.fromCharCode.apply(null, bytes.subarray(i, i + 8192) as unknown as number[]);
  }
  return text;
}

export class TelegramSplitter {
  /** Text of the telegram in progress that came in earlier chunks. */
  private carried = '';
  private state = HUNT;
  /** Whether the previous character was a line feed. */
  private atLineStart = false;
  private crcDigits = 0;
  private length = 0;
  /** Start in the last chunk of the telegram in progress; -1 when it began in an earlier chunk. */
  private pendingStart = -1;

  /** Splits a whole body at once; a trailing bare '!' counts as the end. */
  static splitAll(text: string | Uint8Array): string[] {
    const whole = typeof text === 'string' ? text : latin1(text);
    const ranges = telegramRanges(whole);
    const out: string[] = [];
    for (let k = 0; k < ranges.length; k += 2) out.push(whole.slice(ranges[k], ranges[k + 1]));
    return out;
  }

  /** True while a telegram has started but not ended (for callers that want to report truncation). */
  get inTelegram(): boolean {
    return this.state !== HUNT;
  }

  /** Feeds a chunk; returns the telegrams it completed, in order. */
  push(chunk: string | Uint8Array): string[] {
    const text = typeof chunk === 'string' ? chunk : latin1(chunk);
    const before = this.carried;
    const ranges: number[] = [];
    this.scan(text, ranges);
    const out: string[] = [];
    for (let k = 0; k < ranges.length; k += 2) {
      const start = ranges[k]!;
      out.push(start < 0 ? before + text.slice(0, ranges[k + 1]) : text.slice(start, ranges[k + 1]));
    }
    if (this.state === HUNT) this.carried = '';
    else this.carried = this.pendingStart < 0 ? before + text : text.slice(this.pendingStart);
    return out;
  }

  /** End of stream: emits a telegram waiting for more CRC digits, drops an unfinished one. */
  flush(): string[] {
    const out = this.state === CRC ? [this.carried] : [];
    this.carried = '';
    this.state = HUNT;
    this.atLineStart = false;
    this.crcDigits = 0;
    this.length = 0;
    return out;
  }

  /** @internal Start of a telegram that only waits for CRC digits (ends at end of stream), else -1. */
  pendingCrcStart(): number {
    return this.state === CRC ? this.pendingStart : -1;
  }

  /**
   * @internal The state machine: appends [start, end) of each telegram completed in `text` to `ranges`
   * (start -1: it began in an earlier chunk) and leaves the start of an unfinished one in pendingStart.
   */
  scan(text: string, ranges: number[]): void {
    let start = this.state === HUNT ? 0 : -1;
    let state = this.state;
    let atLineStart = this.atLineStart;
    let crcDigits = this.crcDigits;
    let length = this.length;
    const n = text.length;
    for (let i = 0; i < n; i++) {
      if (state === HUNT) {
        const slash = text.indexOf('/', i); // native search: garbage is skipped without a JS loop
        if (slash < 0) break;
        state = BODY;
        start = slash;
        length = 1;
        atLineStart = false;
        i = slash;
        continue;
      }
      const c = text.charCodeAt(i);
      if (state === BODY) {
        if (c === SLASH && atLineStart) {
          start = i; // a new telegram starts on this line: the one in progress was cut off
          length = 1;
          atLineStart = false;
          continue;
        }
        // jump to the next '!' or to a line that starts with '/', whichever comes first
        let bang = text.indexOf('!', i);
        if (bang < 0) bang = n;
        const restart = text.indexOf('\n/', i);
        const target = restart >= 0 && restart < bang ? restart + 1 : bang;
        const consumed = target - i + (target === bang && bang < n ? 1 : 0); // the '!' counts too
        if (length + consumed > MAX_TELEGRAM_LENGTH) {
          i += MAX_TELEGRAM_LENGTH - length; // the character that would make it too long
          state = HUNT;
          continue;
        }
        length += consumed;
        if (target === n) {
          atLineStart = text.charCodeAt(n - 1) === LF;
          break;
        }
        if (target === bang) {
          state = CRC;
          crcDigits = 0;
          i = bang;
          continue;
        }
        start = target; // restart on the '/'
        length = 1;
        atLineStart = false;
        i = target;
        continue;
      }
      // state === CRC
      if (isHex(c)) {
        length++;
        if (++crcDigits === 4) {
          ranges.push(start, i + 1);
          state = HUNT;
        }
        continue;
      }
      if (crcDigits > 0 || c === CR || c === LF || c === SLASH) ranges.push(start, i);
      state = HUNT;
      i--; // look at this character again while hunting: it may be the next '/'
    }
    this.state = state;
    this.atLineStart = atLineStart;
    this.crcDigits = crcDigits;
    this.length = length;
    this.pendingStart = start;
  }
}

/**
 * [start, end) of every whole telegram in a body, flat: [s0, e0, s1, e1, ...]. Lets a caller decode
 * in place, without a copy or slice per telegram (a trailing bare '!' counts as the end).
 */
export function telegramRanges(text: string): number[] {
  const splitter = new TelegramSplitter();
  const ranges: number[] = [];
  splitter.scan(text, ranges);
  const pending = splitter.pendingCrcStart();
  if (pending >= 0) ranges.push(pending, text.length);
  return ranges;
}

/** Every whole telegram in a body (see TelegramSplitter for the rules). */
export function splitTelegrams(text: string | Uint8Array): string[] {
  return TelegramSplitter.splitAll(text);
}
