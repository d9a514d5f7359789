/** Property tests: the splitter and decoder on arbitrary input and arbitrary chunking. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../src/errors.ts';
import { crc16ArcLatin1, crcHex } from '../../src/dsmr/crc16-arc.ts';
import { decodeTelegram, decodeTelegrams } from '../../src/dsmr/telegram-decoder.ts';
import { TelegramSplitter } from '../../src/dsmr/telegram-splitter.ts';
import { decodableCaptures } from './p1-corpus.ts';

/** The telegram inside a capture: '/' through '!' and its CRC digits, computed without the splitter. */
function telegramOf(text: string): string {
  const start = text.indexOf('/');
  const bang = text.indexOf('!', start);
  const digits = /^[0-9A-F]{0,4}/.exec(text.slice(bang + 1))![0];
  return text.slice(start, bang + 1 + digits.length);
}

const telegrams = decodableCaptures().map((c) => telegramOf(c.text));

/** Runs f and accepts a result or a ProtocolError; anything else fails the property. */
function onlyProtocolErrors(f: () => unknown): void {
  try {
    f();
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw error;
  }
}

const latin1Byte = fc.integer({ min: 0, max: 255 }).map((b) => String.fromCharCode(b));
/** Pieces that reach deep into the parser: framing characters, OBIS codes, groups, times, units. */
const token = fc.oneof(
  latin1Byte,
  fc.constantFrom('/', '!', '\r\n', '\n', '(', ')', '*', '1-0:', '0-1:', '0-0:', '1.8.1', '24.2.1', '98.1.0', '99.97.0', '96.1.1', '1.0.0', '1.6.0', '24.3.0'),
  fc.constantFrom('(1)', '()', '(0-0:96.7.19)', '(1-0:1.6.0)', '(200512135409S)', '(000101000001W)', '(632525252525W)', '(01.193*kW)', '(2147483647*s)', '(00112.384*m3)', '(12)'),
  fc.constantFrom(...telegrams).chain((t) => fc.tuple(fc.nat(t.length), fc.nat(t.length)).map(([a, b]) => t.slice(Math.min(a, b), Math.max(a, b)))),
);
const noise = fc.array(token, { maxLength: 60 }).map((parts) => parts.join(''));

/** A body of random lines sealed with a correct CRC: the decoder must parse it to the end. */
const sealedNoise = fc.tuple(fc.array(noise.map((s) => s.replace(/[!/]/g, '')), { maxLength: 25 }), fc.boolean()).map(([lines, crlf]) => {
  const eol = crlf ? '\r\n' : '\n';
  const body = `/TST5X${eol}${eol}${lines.join(eol)}${eol}!`;
  return `${body}${crcHex(crc16ArcLatin1(body))}${eol}`;
});

describe('P1 properties', () => {
  it('random input to splitter and decoder raises nothing but ProtocolError', () => {
    fc.assert(
      fc.property(noise, fc.array(fc.nat(), { maxLength: 6 }), (text, cuts) => {
        onlyProtocolErrors(() => decodeTelegrams(text));
        onlyProtocolErrors(() => decodeTelegram(text));
        const splitter = new TelegramSplitter();
        let at = 0;
        for (const cut of [...cuts.map((c) => c % (text.length + 1)).sort((a, b) => a - b), text.length]) {
          for (const t of splitter.push(text.slice(at, cut))) onlyProtocolErrors(() => decodeTelegram(t));
          at = cut;
        }
        for (const t of splitter.flush()) onlyProtocolErrors(() => decodeTelegram(t));
      }),
      { numRuns: 3000 },
    );
  });

  it('random lines inside a valid CRC decode or raise a ProtocolError, and keep what they do not map', () => {
    fc.assert(
      fc.property(sealedNoise, (telegram) => {
        onlyProtocolErrors(() => {
          const reading = decodeTelegram(telegram);
          expect(reading.checksum).toBe('valid');
        });
      }),
      { numRuns: 2000 },
    );
  });

  it('random splits of a stream of captures with mixed trailers yield exactly the telegrams of the unsplit stream', () => {
    const trailersFull = ['\r\n', '\n', '', '\xff\xfe gateway junk\r\n', '  25818685\r\nDE0000003\r\n'];
    const trailersBare = ['\r\n', '\n', '\r\n  25818685\r\n\xff\xff\xff\r\n', '\n\n'];
    const stream = fc.array(fc.tuple(fc.nat(telegrams.length - 1), fc.nat(10)), { minLength: 1, maxLength: 8 }).map((picks) => {
      const list = picks.map(([i]) => telegrams[i]!);
      const text = picks
        .map(([i, j], k) => {
          const t = telegrams[i]!;
          // after a CRC-less or short-CRC telegram only a line end (or the next '/') may follow
          const bare = /![0-9A-F]{0,3}$/.test(t);
          const trailers = bare ? trailersBare : trailersFull;
          const last = k === picks.length - 1;
          return t + (bare && last ? '\r\n' : trailers[j % trailers.length]!);
        })
        .join('');
      return { list, text };
    });
    fc.assert(
      fc.property(stream, fc.array(fc.nat(), { maxLength: 20 }), fc.boolean(), ({ list, text }, cuts, asBytes) => {
        expect(TelegramSplitter.splitAll(text)).toEqual(list);
        const splitter = new TelegramSplitter();
        const out: string[] = [];
        let at = 0;
        for (const cut of [...cuts.map((c) => c % (text.length + 1)).sort((a, b) => a - b), text.length]) {
          const chunk = text.slice(at, cut);
          out.push(...splitter.push(asBytes ? Uint8Array.from(chunk, (ch) => ch.charCodeAt(0)) : chunk));
          at = cut;
        }
        out.push(...splitter.flush());
        expect(out).toEqual(list);
        expect(decodeTelegrams(text)).toHaveLength(list.length);
      }),
      { numRuns: 500 },
    );
  });
});
