import { describe, expect, it } from 'vitest';
import * as api from '../../src/index.ts';

describe('P1 public API', () => {
  it('exports the P1 functions and the splitter from the package entry', () => {
    expect(api.crc16Arc(new TextEncoder().encode('123456789'))).toBe(0xbb3d);
    const body = '/KFM5KAIFA-METER\r\n\r\n1-3:0.2.8(42)\r\n0-0:1.0.0(161113205757W)\r\n1-0:1.7.0(02.027*kW)\r\n!';
    const crc = api.crc16Arc(Uint8Array.from(body, (c) => c.charCodeAt(0))).toString(16).toUpperCase().padStart(4, '0');
    const telegram = `${body}${crc}`;
    expect(api.TelegramSplitter.splitAll(`junk${telegram}\r\n`)).toEqual([telegram]);
    expect(new api.TelegramSplitter().push(telegram)).toEqual([telegram]);
    const reading = api.decodeTelegram(telegram);
    expect(reading.protocol).toBe('p1');
    expect(reading.values.powerImportW).toBe(2027);
    expect(api.decodeTelegrams(`${telegram}\r\n${telegram}`)).toHaveLength(2);
    expect(api.parseP1Time('161113205757W', 'Europe/Brussels')).toEqual(new Date('2016-11-13T19:57:57Z'));
    expect(() => api.decodeTelegram(telegram.replace('02.027', '02.028'))).toThrow(api.ChecksumError);
  });
});
