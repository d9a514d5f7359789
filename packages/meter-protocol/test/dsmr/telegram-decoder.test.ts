import { describe, expect, it } from 'vitest';
import { ChecksumError, FrameError, ProtocolError } from '../../src/errors.ts';
import { crc16ArcLatin1, crcHex } from '../../src/dsmr/crc16-arc.ts';
import { decodeTelegram, decodeTelegrams } from '../../src/dsmr/telegram-decoder.ts';

/** A telegram from its lines, sealed with its CRC16/ARC. */
function seal(lines: string[], header = '/TST5TEST-METER', eol = '\r\n', blankLine = true): string {
  const body = `${header}${eol}${blankLine ? eol : ''}${lines.map((l) => l + eol).join('')}!`;
  return `${body}${crcHex(crc16ArcLatin1(body))}${eol}`;
}

function error(f: () => unknown): ProtocolError {
  try {
    f();
  } catch (e) {
    if (e instanceof ProtocolError) return e;
    throw e;
  }
  throw new Error('no error thrown');
}

const V5 = ['1-3:0.2.8(50)', '0-0:1.0.0(240115103000W)'];

describe('decodeTelegram framing', () => {
  it('reports a wrong CRC with both values as 4 upper-case hex digits', () => {
    const good = seal(V5);
    const bad = good.replace(/!([0-9A-F]{4})/, '!0ABC');
    const e = error(() => decodeTelegram(bad));
    expect(e).toBeInstanceOf(ChecksumError);
    expect((e as ChecksumError).declared).toBe('0ABC');
    expect((e as ChecksumError).computed).toBe(/!([0-9A-F]{4})/.exec(good)![1]);
    // the message says where: the offset of the declared CRC
    expect((e as ChecksumError).offset).toBe(bad.indexOf('!') + 1);
    expect((e as Error).message).toBe(`CRC16 mismatch: declared 0ABC, computed ${(e as ChecksumError).computed} (offset ${bad.indexOf('!') + 1})`);
  });

  it('accepts the unpadded 3-digit CRC form', () => {
    // find a body whose CRC is below 0x1000 by varying a register, then send it unpadded
    for (let n = 0; n < 5000; n++) {
      const body = `/TST5X\r\n\r\n1-0:1.8.1(${String(n).padStart(6, '0')}.000*kWh)\r\n!`;
      const crc = crc16ArcLatin1(body);
      if (crc < 0x1000) {
        const reading = decodeTelegram(`${body}${crc.toString(16).toUpperCase()}\r\n`);
        expect(reading.checksum).toBe('valid');
        expect(reading.values.energyImportT1Kwh).toBe(n);
        return;
      }
    }
    throw new Error('no CRC below 0x1000 found');
  });

  it('names what is wrong and where for malformed frames', () => {
    expect(error(() => decodeTelegram('KFM5\r\n!1234'))).toBeInstanceOf(FrameError);
    const noEnd = error(() => decodeTelegram('/KFM5KAIFA\r\n1-0:1.8.1(1)\r\n'));
    expect(noEnd).toBeInstanceOf(FrameError);
    expect(noEnd.message).toContain("no '!'");
    const junk = error(() => decodeTelegram(`${seal(V5).trimEnd()}xyz`));
    expect(junk.message).toMatch(/after the CRC at offset \d+/);
    expect(junk.offset).toBeGreaterThan(0);
    expect(error(() => decodeTelegram('/K\u20ac\r\n!1234'))).toBeInstanceOf(FrameError);
  });

  it('without CRC, needs a bare "!" line, no DSMR 4 objects, and only well-formed lines', () => {
    const ok = decodeTelegram('/ISk5\\2MT382-1000\r\n\r\n1-0:1.8.1(00001.001*kWh)\r\n!');
    expect(ok.checksum).toBe('unchecked');
    expect(ok.values.energyImportT1Kwh).toBe(1.001);
    expect(error(() => decodeTelegram('/ISk5\\2MT382-1000\r\n\r\n1-0:1.8.1(00001.001*kWh)!'))).toBeInstanceOf(FrameError);
    // a lost CRC must not downgrade a DSMR 4+ telegram to 'unchecked'
    const lost = error(() => decodeTelegram('/ISK5\\2M550T\r\n\r\n1-3:0.2.8(50)\r\n0-0:1.0.0(240115103000W)\r\n!\r\n'));
    expect(lost.message).toContain('must have a CRC');
    const badLine = error(() => decodeTelegram('/ISk5\\2MT382-1000\r\n\r\n1-0:1.8.1(00001.001*kWh)\r\n1-0:1.8.2(0000\r\n!'));
    expect(badLine).toBeInstanceOf(FrameError);
    expect(badLine.message).toMatch(/^line 4 \(offset 47\)/);
    expect(badLine.offset).toBe(47);
  });

  it('accepts LF-only lines, no blank line after the header, and white space after the CRC', () => {
    const reading = decodeTelegram(`${seal(V5, '/FLU5\\253769484_A', '\n', false)} \t\r\n`);
    expect(reading.version).toBe('50');
    expect(reading.header).toBe('FLU5\\253769484_A');
  });
});

describe('decodeTelegram objects', () => {
  it('converts kW to W exactly, from decimal text', () => {
    const r = decodeTelegram(seal(['1-0:1.7.0(01.193*kW)', '1-0:2.7.0(00.001*kW)', '1-0:21.7.0(0.000001*kW)', '1-0:41.7.0(000747.85*W)', '1-0:22.7.0(12.345)']));
    expect(r.values).toMatchObject({ powerImportW: 1193, powerExportW: 1, powerImportL1W: 0.001, powerImportL2W: 747.85, powerExportL1W: 12345 });
  });

  it('reads the Swedish P1 reactive objects: kvarh registers, kvar per phase to var', () => {
    const r = decodeTelegram(seal(['1-0:3.8.0(00000012.345*kvarh)', '1-0:4.8.0(00000001.000*kvarh)', '1-0:3.7.0(0000.120*kvar)', '1-0:4.7.0(0000.000*kvar)', '1-0:23.7.0(0000.050*kvar)', '1-0:44.7.0(0000.007*kvar)']));
    expect(r.values).toMatchObject({ energyReactiveImportKvarh: 12.345, energyReactiveExportKvarh: 1, powerReactiveImportVar: 120, powerReactiveExportVar: 0, powerReactiveImportL1Var: 50, powerReactiveExportL2Var: 7 });
    expect(r.raw).toEqual([]);
  });

  it('converts register units: Wh, MWh, KWH, kW for demand in W', () => {
    const r = decodeTelegram(seal(['1-0:1.8.0(1.5*MWh)', '1-0:2.8.0(1500*Wh)', '1-0:1.8.1(2.5*KWH)', '1-0:1.4.0(1500*W)', '1-0:32.7.0(230.1*v)']));
    expect(r.values).toMatchObject({ energyImportKwh: 1500, energyExportKwh: 1.5, energyImportT1Kwh: 2.5, demandCurrentAverageKw: 1.5, voltageL1V: 230.1 });
    // 'mWh' is not MWh: an unknown unit keeps the object raw
    expect(decodeTelegram(seal(['1-0:1.8.0(1.5*mWh)'])).raw).toEqual([{ obis: '1-0:1.8.0', value: '(1.5*mWh)' }]);
  });

  it('derives register totals as exact decimal sums', () => {
    const r = decodeTelegram(seal(['1-0:1.8.1(000000.100*kWh)', '1-0:1.8.2(000000.200*kWh)', '1-0:2.8.1(1.1*kWh)', '1-0:2.8.2(2.2*kWh)']));
    expect(r.values.energyImportKwh).toBe(0.3);
    expect(r.values.energyExportKwh).toBe(3.3);
    const q3d = decodeTelegram(seal(['1-0:1.8.0(00052185.7825309*kWh)', '1-0:1.8.1(1*kWh)', '1-0:1.8.2(2*kWh)']));
    expect(q3d.values.energyImportKwh).toBe(52185.7825309);
  });

  it('keeps unknown objects, odd units, duplicates and non-OBIS lines raw, never dropping them', () => {
    const r = decodeTelegram(seal(['1-0:94.32.1(400)', '0-0:17.0.0(016*A)', '1-0:1.8.1(1*kWh)', '1-0:1.8.1(2*kWh)', 'hello world', '7-0:1.8.0(5*m3)', '1-0:1.8.2(x*kWh)']));
    expect(r.values.energyImportT1Kwh).toBe(1);
    expect(r.raw).toEqual([
      { obis: '1-0:94.32.1', value: '(400)' },
      { obis: '0-0:17.0.0', value: '(016*A)' },
      { obis: '1-0:1.8.1', value: '(2*kWh)' },
      { obis: '', value: 'hello world' },
      { obis: '7-0:1.8.0', value: '(5*m3)' },
      { obis: '1-0:1.8.2', value: '(x*kWh)' },
    ]);
  });

  it('decodes the power failure log, keeping sentinel events with a null end', () => {
    const r = decodeTelegram(seal([...V5, '1-0:99.97.0(2)(0-0:96.7.19)(000101000001W)(2147483647*s)(240110083138W)(0000000124*S)']));
    expect(r.powerFailureLog).toEqual([
      { endedAt: null, durationS: 2147483647 },
      { endedAt: new Date('2024-01-10T07:31:38Z'), durationS: 124 },
    ]);
    expect(decodeTelegram(seal(['1-0:99.97.0()'])).powerFailureLog).toEqual([]);
    expect(decodeTelegram(seal(['1-0:99.97.0(0)(0-0:96.7.19)'])).powerFailureLog).toEqual([]);
  });

  it('decodes the capacity tariff objects in all their forms', () => {
    const thirteen = Array.from({ length: 13 }, (_, i) => `(${String(24 - Math.floor(i / 12)).padStart(2, '0')}${String(12 - (i % 12)).padStart(2, '0')}01000000W)(230101120000W)(0${i % 10}.500*kW)`).join('');
    const r = decodeTelegram(seal(['1-0:1.4.0(02.351*kW)', '1-0:1.6.0(240109134558W)(02.589*kW)', `0-0:98.1.0(13)(1-0:1.6.0)(1-0:1.6.0)${thirteen}`]));
    expect(r.values.demandCurrentAverageKw).toBe(2.351);
    expect(r.demandMonthPeak).toEqual({ at: new Date('2024-01-09T12:45:58Z'), kw: 2.589 });
    expect(r.demandPeakHistory).toHaveLength(13);
    expect(r.demandPeakHistory[0]).toEqual({ periodEnd: new Date('2024-11-30T23:00:00Z'), at: new Date('2023-01-01T11:00:00Z'), kw: 0.5 });
    const empty = decodeTelegram(seal(['0-0:98.1.0(0)(1-0:1.6.0)(1-0:1.6.0)()']));
    expect(empty.demandPeakHistory).toEqual([]);
    expect(empty.raw).toEqual([]);
    const countOnly = decodeTelegram(seal(['0-0:98.1.0(12)']));
    expect(countOnly.demandPeakHistory).toEqual([]);
    expect(countOnly.raw).toEqual([{ obis: '0-0:98.1.0', value: '(12)' }]);
  });

  it('decodes M-Bus channels 1-4: gas, water, heat in GJ, m³, sentinels', () => {
    const r = decodeTelegram(seal([
      '0-4:24.1.0(004)', '0-4:96.1.0(3232323241424344313233343536373839)', '0-4:24.2.1(240115100000W)(00012.345*GJ)',
      '0-1:24.1.0(003)', '0-1:96.1.1(37464C4F32313139303333373333)', '0-1:24.4.0(1)', '0-1:24.2.3(240115100000W)(00112.384*m\xb3)',
      '0-2:24.1.0(007)', '0-2:24.2.1(240715100000S)(00872.234*m3)',
      '0-3:24.1.0(003)', '0-3:96.1.0()', '0-3:24.2.1(632525252525W)(00000.000)',
    ]));
    expect(r.mbus).toEqual([
      { channel: 1, deviceType: 3, equipmentId: '7FLO2119033733', value: 112.384, unit: 'm3', capturedAt: new Date('2024-01-15T09:00:00Z'), valvePosition: 1 },
      { channel: 2, deviceType: 7, equipmentId: null, value: 872.234, unit: 'm3', capturedAt: new Date('2024-07-15T08:00:00Z') },
      { channel: 3, deviceType: 3, equipmentId: null, value: null, unit: null, capturedAt: null },
      { channel: 4, deviceType: 4, equipmentId: '2222ABCD123456789', value: 12.345, unit: 'GJ', capturedAt: new Date('2024-01-15T09:00:00Z') },
    ]);
  });

  it('reads the DSMR 2.2 gas profile with its value on the next line', () => {
    const r = decodeTelegram('/ISk5\\2MT382-1004\r\n\r\n0-1:24.1.0(3)\r\n0-1:24.3.0(161107190000)(00)(60)(1)(0-1:24.2.1)(m3)\r\n(00001.001)\r\n0-1:24.4.0(1)\r\n!\r\n');
    expect(r.mbus[0]).toMatchObject({ channel: 1, deviceType: 3, value: 1.001, unit: 'm3', capturedAt: new Date('2016-11-07T18:00:00Z'), valvePosition: 1 });
  });

  it('decodes hex ids and text messages; keeps non-hex ids as sent', () => {
    const r = decodeTelegram(seal(['0-0:96.1.1(4B384547303034303436333935353037)', '0-0:96.13.0(48656C6C6F)', '0-0:96.13.1()', '0-0:96.1.0(xxx)']));
    expect(r.meterId).toBe('K8EG004046395507');
    expect(r.messages).toEqual(['Hello']);
    expect(r.raw).toEqual([{ obis: '0-0:96.1.0', value: '(xxx)' }]);
  });

  it('converts the clock in the zone given per call', () => {
    const t = seal(['0-0:1.0.0(230202132747S)']);
    expect(decodeTelegram(t).meterTime).toEqual(new Date('2023-02-02T12:27:47Z'));
    expect(decodeTelegram(t, { timeZone: 'Europe/Dublin' }).meterTime).toEqual(new Date('2023-02-02T13:27:47Z'));
  });

  it('knows the vendor from the header', () => {
    expect(decodeTelegram(seal([], '/KFM5KAIFA-METER')).vendor).toBe('Kaifa');
    expect(decodeTelegram(seal([], '/ISk5\\2MT382-1000')).vendor).toBe('Iskraemeco');
    expect(decodeTelegram(seal([], '/ZZZ5Unknown')).vendor).toBeNull();
  });
});

describe('decodeTelegrams', () => {
  it('decodes every telegram of a body, across junk and mixed trailers', () => {
    const a = seal(['1-0:1.8.1(1*kWh)']);
    const b = seal(['1-0:1.8.1(2*kWh)'], '/TST5X', '\n').trimEnd();
    const readings = decodeTelegrams(`junk${a}${b}\xff\xff${a}`);
    expect(readings.map((r) => r.values.energyImportT1Kwh)).toEqual([1, 2, 1]);
  });

  it('throws on the first bad telegram and on a body without one', () => {
    const a = seal(['1-0:1.8.1(1*kWh)']);
    expect(() => decodeTelegrams(a + a.replace('(1*', '(2*'))).toThrow(ChecksumError);
    expect(() => decodeTelegrams('')).toThrow(FrameError);
    expect(() => decodeTelegrams('no telegram here\r\n')).toThrow(FrameError);
  });
});
