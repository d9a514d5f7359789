import { describe, expect, it } from 'vitest';
import { crc16Arc, crc16ArcWords } from '../../src/dsmr/crc16-arc.ts';
import { loadTelegram, loaded, loadedCrc } from '../../src/dsmr/telegram-bytes.ts';

const latin1 = (text: string) => Uint8Array.from(text, (ch) => Math.min(ch.charCodeAt(0), 0xff));

describe('crc16ArcWords', () => {
  it('equals crc16Arc for every length around the 8-byte step', () => {
    const bytes = new Uint8Array(64);
    const words = new Uint32Array(bytes.buffer);
    for (let i = 0; i < 64; i++) bytes[i] = (i * 37 + 11) & 0xff;
    for (let n = 0; n <= 40; n++) expect(crc16ArcWords(bytes, words, n)).toBe(crc16Arc(bytes, 0, n));
  });
});

describe('loadTelegram', () => {
  const ascii = '/KFM5KAIFA-METER\r\n\r\n1-0:1.8.1(001581.123*kWh)\r\n!';
  const header = '/FLU5\xab253769484_A\r\n\r\n0-0:96.1.4(50217)\r\n!';
  const body = '/FLU5\xab253769484_A\r\n\r\n0-0:96.13.0(\xe9\xff)\r\n!';
  const noLine = '/ISK\xab5!';

  it('holds the latin1 bytes of ASCII text, a latin1 header, latin1 anywhere, and sums their CRC', () => {
    for (const t of [ascii, header, body, noLine]) {
      expect(loadTelegram(`${t}1234\r\n`)).toBe(true);
      expect(loaded.bytes.subarray(0, t.length)).toEqual(latin1(t));
      expect(loadedCrc(t.length)).toBe(crc16Arc(latin1(t)));
    }
  });

  it('flags char codes above 0xFF, in the header or after it, and stores them as 0xFF', () => {
    for (const t of ['/K\u20ac5\r\n\r\n!', '/FLU5\xab\r\n\r\n0-0:96.13.0(\u20ac)\r\n!', '/A\r\n\r\n1-0:1.8.1(\u0130)\r\n!']) {
      expect(loadTelegram(t)).toBe(false);
      expect(loaded.bytes.subarray(0, t.length)).toEqual(latin1(t));
    }
  });

  it('takes a buffer of its own for a text longer than 64 KiB, and the scratch again after it', () => {
    loadTelegram(ascii);
    const scratch = loaded.bytes;
    const long = `/X\r\n\r\n${'1-0:1.8.1(001581.123*kWh)\r\n'.repeat(3000)}!`;
    expect(loadTelegram(long)).toBe(true);
    expect(loaded.bytes.length).toBeGreaterThanOrEqual(long.length);
    expect(loadedCrc(long.length)).toBe(crc16Arc(latin1(long)));
    expect(loadTelegram(ascii)).toBe(true);
    expect(loaded.bytes).toBe(scratch);
  });
});
