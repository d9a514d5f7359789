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
const BANG = 0x21;
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
  /** Whether the previous character was a line feed (or the telegram just began). */
  private atLineStart = false;
  private crcDigits = 0;
  private length = 0;

  /** Splits a whole body at once; a trailing bare '!' counts as the end. */
  static splitAll(text: string | Uint8Array): string[] {
    const splitter = new TelegramSplitter();
    const telegrams = splitter.push(text);
    for (const t of splitter.flush()) telegrams.push(t);
    return telegrams;
  }

  /** True while a telegram has started but not ended (for callers that want to report truncation). */
  get inTelegram(): boolean {
    return this.state !== HUNT;
  }

  /** Feeds a chunk; returns the telegrams it completed, in order. */
  push(chunk: string | Uint8Array): string[] {
    const text = typeof chunk === 'string' ? chunk : latin1(chunk);
    const out: string[] = [];
    let start = 0; // index in text where the current telegram's part in this chunk begins
    let state = this.state;
    let atLineStart = this.atLineStart;
    let crcDigits = this.crcDigits;
    let length = this.length;
    const n = text.length;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      if (state === HUNT) {
        if (c === SLASH) {
          state = BODY;
          start = i;
          this.carried = '';
          length = 1;
          atLineStart = false;
        }
        continue;
      }
      if (state === BODY) {
        if (c === SLASH && atLineStart) {
          start = i; // a new telegram starts on this line: the one in progress was cut off
          this.carried = '';
          length = 1;
          atLineStart = false;
          continue;
        }
        if (++length > MAX_TELEGRAM_LENGTH) {
          state = HUNT;
          this.carried = '';
          continue;
        }
        if (c === BANG) {
          state = CRC;
          crcDigits = 0;
        }
        atLineStart = c === LF;
        continue;
      }
      // state === CRC
      if (isHex(c)) {
        length++;
        if (++crcDigits === 4) {
          out.push(this.carried + text.slice(start, i + 1));
          this.carried = '';
          state = HUNT;
        }
        continue;
      }
      if (crcDigits > 0 || c === CR || c === LF || c === SLASH) {
        out.push(this.carried + text.slice(start, i));
      }
      this.carried = '';
      state = HUNT;
      i--; // look at this character again while hunting: it may be the next '/'
    }
    if (state !== HUNT) this.carried += text.slice(start);
    this.state = state;
    this.atLineStart = atLineStart;
    this.crcDigits = crcDigits;
    this.length = length;
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
}

/** Every whole telegram in a body (see TelegramSplitter for the rules). */
export function splitTelegrams(text: string | Uint8Array): string[] {
  return TelegramSplitter.splitAll(text);
}
