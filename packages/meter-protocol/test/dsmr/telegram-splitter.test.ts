import { describe, expect, it } from 'vitest';
import { MAX_TELEGRAM_LENGTH, TelegramSplitter, splitTelegrams } from '../../src/dsmr/telegram-splitter.ts';

const A = '/KFM5KAIFA-METER\r\n\r\n1-3:0.2.8(42)\r\n!6796';
const B = '/ISk5\\2MT382-1000\r\n\r\n0-0:96.14.0(0001)\r\n!';
const C = '/FLU5\\253769484_A\r\n\r\n0-0:96.1.4(50217)\r\n!B9F';

/** Feeds text one character per push, then flushes. */
function byChar(text: string): string[] {
  const s = new TelegramSplitter();
  const out: string[] = [];
  for (const ch of text) out.push(...s.push(ch));
  out.push(...s.flush());
  return out;
}

describe('TelegramSplitter', () => {
  it('ends a telegram at the 4th CRC digit, whatever follows', () => {
    for (const tail of ['\r\n', '\n', '', 'garbage\r\n', '\xff\xff']) {
      expect(new TelegramSplitter().push(A + tail)).toEqual([A]);
    }
  });

  it('ends a 3-digit (unpadded) CRC at the first non-hex character', () => {
    const s = new TelegramSplitter();
    expect(s.push(C)).toEqual([]); // a 4th digit could still come
    expect(s.push('\r\n')).toEqual([C]);
    expect(splitTelegrams(`${C}\r\n${A}`)).toEqual([C, A]);
  });

  it("ends a CRC-less telegram at CR, LF or the next '/', and at end of stream only on flush", () => {
    expect(splitTelegrams(`${B}\r\n  25818685\r\nDE0000003\r\n`)).toEqual([B]);
    expect(splitTelegrams(`${B}${A}`)).toEqual([B, A]);
    const s = new TelegramSplitter();
    expect(s.push(B)).toEqual([]);
    expect(s.inTelegram).toBe(true);
    expect(s.flush()).toEqual([B]);
    expect(s.inTelegram).toBe(false);
  });

  it("drops a '!' without CRC followed by anything but a line end (damage, not an end)", () => {
    expect(splitTelegrams(`${B}-0:1.8.1(1)\r\n${A}`)).toEqual([A]);
  });

  it("skips garbage before '/' and accepts bytes", () => {
    const bytes = Uint8Array.from(`\x00\xfftail of an earlier one\r\n!1234\r\n${A}\r\n`, (c) => c.charCodeAt(0));
    expect(TelegramSplitter.splitAll(bytes)).toEqual([A]);
  });

  it("restarts on a '/' at the start of a line (a truncated telegram before it is dropped)", () => {
    const truncated = '/ISK5\\2M550T-1011\r\n\r\n1-0:1.7.0(00.321*k\n';
    expect(splitTelegrams(truncated + A + '\r\n')).toEqual([A]);
    // a '/' inside a line is data, left for the CRC to judge
    const inLine = '/XMX5LG\r\n0-0:96.13.0(a/b)\r\n!1234';
    expect(splitTelegrams(inLine)).toEqual([inLine]);
  });

  it('gives the same telegrams whatever the chunking', () => {
    const stream = `junk${A}\r\n${B}\r\n${C}\n${A}${B}`;
    const whole = splitTelegrams(stream);
    expect(whole).toEqual([A, B, C, A, B]);
    expect(byChar(stream)).toEqual(whole);
  });

  it('drops a telegram that grows beyond MAX_TELEGRAM_LENGTH and finds the next one', () => {
    const huge = `/ABC5X\r\n${'1-0:1.8.1(1)\r\n'.repeat(Math.ceil(MAX_TELEGRAM_LENGTH / 14))}!1234\r\n`;
    expect(splitTelegrams(huge + A)).toEqual([A]);
  });

  it('keeps nothing of an unfinished telegram at flush', () => {
    const s = new TelegramSplitter();
    s.push('/KFM5KAIFA-METER\r\n1-0:1.8.1(1');
    expect(s.flush()).toEqual([]);
    expect(s.push(A)).toEqual([A]);
  });
});
