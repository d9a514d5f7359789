/**
 * A message whose clock is unset or cannot be a date has no meter time, and says so: meterClockUnset holds the clock
 * as sent (db/docs/storage.md "Meter times"). A message that carries no clock at all is not marked.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { crc16Arc, decodeFrame, decodeTelegram } from '../src/index.ts';
import { buildFrame, infoOf } from './han/hdlc-frame-builder.ts';

const fixture = (path: string) => readFileSync(new URL(`../fixtures/${path}`, import.meta.url), 'latin1');
const AMSTERDAM = { timeZone: 'Europe/Amsterdam' };

/** A real DSMR 5 telegram with its clock replaced and its CRC made right again. */
function telegramAt(clock: string): string {
  const body = fixture('dsmr/athom_iskra_am550_dsmr50.txt').replace(/0-0:1\.0\.0\([^)]*\)/, `0-0:1.0.0(${clock})`);
  const end = body.indexOf('!') + 1;
  const crc = crc16Arc(Buffer.from(body.slice(0, end), 'latin1')).toString(16).toUpperCase().padStart(4, '0');
  return `${body.slice(0, end)}${crc}\r\n`;
}

describe('P1: an unset or impossible clock is marked', () => {
  it('the real capture of a meter whose clock is unset (000101010000W)', () => {
    const reading = decodeTelegram(fixture('dsmr/athom_xmx_dsmr40_e350.txt'), AMSTERDAM);
    expect(reading.meterTime).toBeNull();
    expect(reading.meterClockUnset).toBe('000101010000W');
    expect(reading.values.energyImportT1Kwh).toBeGreaterThan(0); // its registers are read all the same
  });

  it('1970 sentinel, 2099, the unset 2000-01-01 and a calendar-invalid date, as sent', () => {
    for (const clock of ['700101000000W', '991231235959W', '000101000000W', '261345256161W', '260230120000S']) {
      const reading = decodeTelegram(telegramAt(clock), AMSTERDAM);
      expect({ time: reading.meterTime, sent: reading.meterClockUnset }, clock).toEqual({ time: null, sent: clock });
    }
  });

  it('a usable clock, an empty one and a telegram without a clock (DSMR 2.2) are not marked', () => {
    const set = decodeTelegram(telegramAt('260115120000W'), AMSTERDAM);
    expect(set.meterTime?.toISOString()).toBe('2026-01-15T11:00:00.000Z');
    expect('meterClockUnset' in set).toBe(false);
    expect('meterClockUnset' in decodeTelegram(telegramAt(''), AMSTERDAM)).toBe(false);
    const dsmr22 = decodeTelegram(fixture('dsmr/dp_v2_2_iskra.txt'), AMSTERDAM);
    expect(dsmr22.meterTime).toBeNull();
    expect('meterClockUnset' in dsmr22).toBe(false);
  });
});

describe('HAN: an unset or impossible clock is marked', () => {
  // A real Kaifa list 2: its only clock is the data-notification's date-time (07e10203050f2e14ff800000).
  const kaifa = Uint8Array.from(Buffer.from(fixture('han/kaifa_3p_list2_1.hex').replace(/\s+/g, ''), 'hex'));
  const info = infoOf(kaifa);
  const at = Buffer.from(info).indexOf(Buffer.from('07e10203050f2e14ff800000', 'hex'));
  const withClock = (hex: string) => {
    const changed = Uint8Array.from(info);
    changed.set(Buffer.from(hex, 'hex'), at);
    return decodeFrame(buildFrame(changed));
  };

  it('years 1970, 9999 and 50 and a 30 February, as sent in hex', () => {
    expect(at).toBeGreaterThan(0);
    for (const hex of ['07b2010104000000ff800000', '270f0c1f05173b3bff800000', '003206010c000000ff800000', '07ea021e010c0000ff800000']) {
      const reading = withClock(hex);
      expect({ time: reading.meterTime, sent: reading.meterClockUnset }, hex).toEqual({ time: null, sent: hex });
    }
  });

  it('the capture as sent, a date-time with nothing specified, and Aidon list 1 (no clock) are not marked', () => {
    expect(decodeFrame(kaifa).meterTime?.toISOString()).toBe('2017-02-03T14:46:20.000Z');
    expect('meterClockUnset' in decodeFrame(kaifa)).toBe(false);
    const unspecified = withClock('ffffffffffffffffff800000');
    expect(unspecified.meterTime).toBeNull();
    expect('meterClockUnset' in unspecified).toBe(false);
    const aidon = decodeFrame(Uint8Array.from(Buffer.from(fixture('han/aidon_3p_list1_1.hex').replace(/\s+/g, ''), 'hex')));
    expect(aidon.meterTime).toBeNull();
    expect('meterClockUnset' in aidon).toBe(false);
  });
});
