/** Vendor layouts without an MIT capture, built here byte by byte from the vendor documents' structures. */
import { describe, expect, it } from 'vitest';
import { UnsupportedError } from '../../src/errors.ts';
import { decodeFrame } from '../../src/dlms/han-decoder.ts';
import { buildFrame, concat, LLC } from './hdlc-frame-builder.ts';

const u8 = (...b: number[]) => Uint8Array.from(b);
const obis = (a: number, b: number, c: number, d: number, e: number) => u8(0x09, 0x06, a, b, c, d, e, 0xff);
const u32 = (n: number) => u8(0x06, (n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
const u16 = (n: number) => u8(0x12, (n >> 8) & 0xff, n & 0xff);
const i16 = (n: number) => u8(0x10, (n >> 8) & 0xff, n & 0xff);
const vis = (s: string) => concat(u8(0x0a, s.length), new TextEncoder().encode(s));
const scalerUnit = (scaler: number, unit: number) => u8(0x02, 0x02, 0x0f, scaler & 0xff, 0x16, unit);
const clock = (hex: string) => concat(u8(0x09, 0x0c), Uint8Array.from(Buffer.from(hex, 'hex')));

/** Aidon entry: structure {obis, value, {scaler, unit}}. */
const aidonItem = (code: Uint8Array, value: Uint8Array, scaler: number, unit: number) => concat(u8(0x02, 0x03), code, value, scalerUnit(scaler, unit));

function frameOf(apduBody: Uint8Array, header = u8(0x0f, 0x40, 0, 0, 0, 0x00)): Uint8Array {
  return buildFrame(concat(LLC, header, apduBody));
}

describe('Aidon Swedish list (27 items, clock first, per-phase powers, Wh energies)', () => {
  const W = 27, VAR = 29, WH = 30, VARH = 32, A = 33, V = 35;
  const items = [
    concat(u8(0x02, 0x02), obis(0, 0, 1, 0, 0), clock('07e5031702123200ff800000')),
    aidonItem(obis(1, 0, 1, 7, 0), u32(1200), 0, W),
    aidonItem(obis(1, 0, 2, 7, 0), u32(0), 0, W),
    aidonItem(obis(1, 0, 3, 7, 0), u32(10), 0, VAR),
    aidonItem(obis(1, 0, 4, 7, 0), u32(300), 0, VAR),
    aidonItem(obis(1, 0, 31, 7, 0), i16(-12), -1, A),
    aidonItem(obis(1, 0, 51, 7, 0), i16(23), -1, A),
    aidonItem(obis(1, 0, 71, 7, 0), i16(34), -1, A),
    aidonItem(obis(1, 0, 32, 7, 0), u16(2301), -1, V),
    aidonItem(obis(1, 0, 52, 7, 0), u16(2302), -1, V),
    aidonItem(obis(1, 0, 72, 7, 0), u16(2303), -1, V),
    ...[21, 22, 23, 24, 41, 42, 43, 44, 61, 62, 63, 64].map((c, i) => aidonItem(obis(1, 0, c, 7, 0), u32(100 + i), 0, c % 20 <= 2 ? W : VAR)),
    aidonItem(obis(1, 0, 1, 8, 0), u32(12345678), 0, WH),
    aidonItem(obis(1, 0, 2, 8, 0), u32(5), 0, WH),
    aidonItem(obis(1, 0, 3, 8, 0), u32(1001), 0, VARH),
    aidonItem(obis(1, 0, 4, 8, 0), u32(2002), 0, VARH),
  ];
  const body = concat(u8(0x01, items.length), ...items);

  it('maps every item, per-phase powers included', () => {
    expect(items).toHaveLength(27);
    const r = decodeFrame(frameOf(body));
    expect(r.vendor).toBe('Aidon');
    expect(r.list).toBe(3);
    expect(r.values).toMatchObject({
      powerImportW: 1200,
      powerReactiveExportVar: 300,
      currentL1A: -1.2, // Aidon currents are signed: negative while exporting
      currentL3A: 3.4,
      voltageL2V: 230.2,
      powerImportL1W: 100,
      powerExportL1W: 101,
      powerReactiveImportL1Var: 102,
      powerReactiveExportL1Var: 103,
      powerImportL2W: 104,
      powerReactiveExportL3Var: 111,
      energyImportKwh: 12345.678,
      energyExportKwh: 0.005,
      energyReactiveImportKvarh: 1.001,
      energyReactiveExportKvarh: 2.002,
    });
    expect(Object.keys(r.values)).toHaveLength(26);
    expect(r.raw).toEqual([]);
    // Swedish Aidon sends deviation 0x8000: local wall time in the configured zone
    expect(r.meterTime?.toISOString()).toBe('2021-03-23T17:50:00.000Z');
    expect(decodeFrame(frameOf(body), { timeZone: 'Europe/Stockholm' }).meterTime?.toISOString()).toBe('2021-03-23T17:50:00.000Z');
  });

  it('keeps a quantity whose unit does not fit in raw instead of mis-scaling it', () => {
    const odd = concat(u8(0x01, 0x01), aidonItem(obis(1, 0, 1, 7, 0), u32(5), 3, WH));
    const r = decodeFrame(frameOf(odd));
    expect(r.values).toEqual({});
    expect(r.raw).toEqual([{ obis: '1-0:1.7.0.255', value: '5000 Wh' }]);
  });
});

describe('Kamstrup lists', () => {
  const pairs = (list: [Uint8Array, Uint8Array][]) => list.flatMap(([o, v]) => [o, v]);
  const danish = [
    vis('Kamstrup_V0001'),
    ...pairs([
      [obis(1, 1, 0, 0, 5), vis('5706567000000000')],
      [obis(1, 1, 96, 1, 1), vis('6841138BN243101040')],
      [obis(1, 1, 1, 7, 0), u32(1500)],
      [obis(1, 1, 31, 7, 0), u32(1234)],
      [obis(1, 1, 13, 7, 0), u16(97)],
      [obis(1, 1, 33, 7, 0), u16(95)],
      [obis(1, 1, 21, 7, 0), u32(500)],
      [obis(1, 1, 1, 8, 0), u32(123456)],
      [obis(1, 1, 21, 8, 0), u32(4000)],
    ]),
  ];
  const body = concat(u8(0x02, danish.length), ...danish);
  const frame = frameOf(body, u8(0x0f, 0, 0, 0, 0, 0x0c, ...Buffer.from('07e6060104100000ff800080', 'hex')));

  it('applies the default implicit scalers, PF in 0.01, and maps the per-phase energy registers', () => {
    const r = decodeFrame(frame);
    expect(r.vendor).toBe('Kamstrup');
    expect(r.meterId).toBe('5706567000000000');
    expect(r.values).toMatchObject({ powerImportW: 1500, currentL1A: 12.34, powerFactor: 0.97, powerFactorL1: 0.95, powerImportL1W: 500, energyImportKwh: 1234.56, energyImportL1Kwh: 40 });
    expect(r.raw.map((o) => o.obis)).not.toContain('1-1:21.8.0.255');
    // Kamstrup sends CET all year: 16:00 in June is 15:00Z, not 14:00Z
    expect(r.meterTime?.toISOString()).toBe('2022-06-01T15:00:00.000Z');
  });

  it('honours per-meter scaler overrides (Wh energy, mA current)', () => {
    const r = decodeFrame(frame, { kamstrupEnergyScaler: 0, kamstrupCurrentScaler: -3 });
    expect(r.values.energyImportKwh).toBe(123.456);
    expect(r.values.currentL1A).toBe(1.234);
  });

  it('rejects scaler overrides that are not small integers', () => {
    expect(() => decodeFrame(frame, { kamstrupEnergyScaler: 0.5 })).toThrow(UnsupportedError);
  });
});

describe('unknown layouts', () => {
  it('a body matching no vendor layout is an UnsupportedError naming its shape', () => {
    expect(() => decodeFrame(frameOf(concat(u8(0x02, 0x02), u16(1), u16(2))))).toThrow(/unknown HAN list layout: .*structure\(2\)/);
  });

  it('an APDU other than data-notification or ciphering is an UnsupportedError', () => {
    expect(() => decodeFrame(buildFrame(concat(LLC, u8(0xc4, 0x01, 0x00))))).toThrow(UnsupportedError);
  });
});
