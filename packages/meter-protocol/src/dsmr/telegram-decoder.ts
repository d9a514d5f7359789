/**
 * P1 telegram to Reading: checks the frame ('/' header ... '!' CRC), the CRC16/ARC over '/'..'!',
 * then decodes the objects. Without a CRC (DSMR 2.2/3, EasyMeter Q3D) the body is checked strictly.
 */
import { ChecksumError, FrameError } from '../errors.ts';
import { emptyReading, type Reading } from '../reading.ts';
import { crcHex } from './crc16-arc.ts';
import { vendorOf } from './p1-objects.ts';
import { decodeBody } from './telegram-body.ts';
import { loadTelegram, loaded, loadedCrc } from './telegram-bytes.ts';
import { telegramRanges } from './telegram-splitter.ts';

export interface P1DecodeOptions {
  /** IANA zone the meter's wall clock runs in; default 'Europe/Brussels'. */
  timeZone?: string;
}

const DEFAULT_ZONE = 'Europe/Brussels';
const LF = 0x0a;
const CR = 0x0d;

/** Value of an upper-case hex digit (meters send upper case; a lower-case one is damage), or -1. */
function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

function isSpace(c: number): boolean {
  return c === CR || c === LF || c === 0x20 || c === 0x09;
}

/**
 * Decodes one telegram: '/' first, then '!' followed by 0-4 upper-case hex CRC digits and nothing
 * but white space. Throws ChecksumError on a CRC mismatch and FrameError on a malformed frame.
 */
export function decodeTelegram(telegram: string, options?: P1DecodeOptions): Reading {
  return decodeOne(telegram, options?.timeZone ?? DEFAULT_ZONE); // no default `{}`: one object less per call
}

/** decodeTelegram with the zone resolved. */
function decodeOne(text: string, timeZone: string): Reading {
  const end = text.length;
  if (end === 0 || text.charCodeAt(0) !== 0x2f) throw new FrameError("telegram does not start with '/' (offset 0)", { offset: 0 });
  const bang = text.indexOf('!');
  if (bang < 0) throw new FrameError(`telegram has no '!' end marker (${end} characters)`, { offset: end });
  let declared = 0;
  let crcDigits = 0;
  let i = bang + 1;
  for (; i < end && crcDigits < 4; i++) {
    const v = hexValue(text.charCodeAt(i));
    if (v < 0) break;
    declared = declared * 16 + v;
    crcDigits++;
  }
  for (; i < end; i++) {
    if (!isSpace(text.charCodeAt(i))) {
      throw new FrameError(`unexpected ${JSON.stringify(text[i])} after the CRC at offset ${i}`, { offset: i });
    }
  }
  // the body is scanned as bytes (loaded.bytes[i] is text[i]); the CRC is summed over them
  const latin1 = loadTelegram(text);
  const reading = emptyReading('p1');
  if (crcDigits > 0) {
    if (!latin1) throw new FrameError('telegram holds characters above 0xFF: decode bytes as latin1', { offset: 0 });
    const computed = loadedCrc(bang + 1);
    if (computed !== declared) {
      throw new ChecksumError('CRC16', crcHex(declared), crcHex(computed), { offset: bang + 1 });
    }
  } else {
    reading.checksum = 'unchecked';
    if (text.charCodeAt(bang - 1) !== LF) {
      throw new FrameError(`'!' at offset ${bang} has no CRC and does not start a line`, { offset: bang });
    }
  }
  // header: '/' up to the end of the first line
  const bytes = loaded.bytes;
  let headerEnd = 1;
  while (headerEnd < bang) {
    const c = bytes[headerEnd]!;
    if (c === CR || c === LF) break;
    headerEnd++;
  }
  const header = text.slice(1, headerEnd);
  reading.header = header;
  reading.vendor = vendorOf(header);
  const bodyStart = bytes[headerEnd] === CR && bytes[headerEnd + 1] === LF ? headerEnd + 2 : headerEnd + 1;
  const strict = crcDigits === 0;
  const ctx = decodeBody(text, bodyStart, bang, 2, reading, timeZone, strict);
  if (strict && ctx.objectCount === 0) {
    // nothing vouches for an empty telegram: it is what a '!' written over the blank line after the header looks like
    throw new FrameError(`telegram without CRC holds no objects (offset ${bang})`, { offset: bang });
  }
  if (strict && (ctx.hasClock || ctx.hasVersion)) {
    // DSMR 4.0 brought the clock, the version line and the CRC together: one without the others is damage
    throw new FrameError(`telegram without CRC carries a ${ctx.hasVersion ? 'version' : 'clock'} object: DSMR 4+ telegrams must have a CRC (offset ${bang})`, { offset: bang });
  }
  return reading;
}

/**
 * Decodes every telegram in a body (one or more, any line endings or junk between them).
 * Throws on the first bad telegram; a body without a whole telegram is a FrameError.
 */
export function decodeTelegrams(text: string, options: P1DecodeOptions = {}): Reading[] {
  const ranges = telegramRanges(text);
  if (ranges.length === 0) throw new FrameError('no whole telegram (/ ... !CRC) in the body', { offset: 0 });
  const timeZone = options.timeZone ?? DEFAULT_ZONE;
  const readings: Reading[] = [];
  // each telegram from index 0, where its bytes are loaded; a slice shares the body's memory
  for (let k = 0; k < ranges.length; k += 2) readings.push(decodeOne(text.slice(ranges[k]!, ranges[k + 1]!), timeZone));
  return readings;
}
