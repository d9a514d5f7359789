/**
 * Kamstrup sends currents without a scaler. Which one? Settled with physics on the two 65-item
 * Kamstrup_V0001 lists whose values are published (rebuilt here from their numbers; neither source
 * allows copying the bytes):
 *
 * 1. The Danish grid operator's example list (amsreader-firmware doc/Denmark/Kamstrup_encrypted_data.xml,
 *    2020-05-12 10:24:50): 1329 W, 84 var export, 228/229/227 V, raw currents 75/112/484, L3 1036 W.
 *    At 0.01 A, L3 carries 227 V × 4.84 A = 1099 VA ≥ 1036 W (PF 0.94, the list's own 0.98).
 *    At mA it would be 110 VA for 1036 W: impossible. Direct-connected meters: 0.01 A (scaler -2).
 * 2. A Danish Kamstrup on current transformers (amsreader issue #216, 2022-02-01): 2585 W export,
 *    63 364 var, 233 V on every phase, raw currents 90 999/93 955/92 645. At 0.01 A that is
 *    ~646 kVA of Σ U·I for a 63.4 kVA load (ten times too high: what amsreader prints, because it
 *    divides every Kamstrup current by 100); at mA it is 64.7 kVA, 2 % above |S|. CT meters: mA (-3).
 *
 * Nothing in the frame tells the two apart, so the scaler is per-device configuration
 * (kamstrupCurrentScaler, default -2); a CT meter is set to -3.
 */
import { describe, expect, it } from 'vitest';
import { decodeFrame } from '../../src/dlms/han-decoder.ts';
import { expectPhysical, powerCheck } from '../physics-checks.ts';
import { buildFrame, concat, LLC } from './hdlc-frame-builder.ts';

const u8 = (...b: number[]) => Uint8Array.from(b);
const obis = (c: number, d: number, e = 0) => u8(0x09, 0x06, 1, 1, c, d, e, 0xff);
const u32 = (n: number) => u8(0x06, (n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
const u16 = (n: number) => u8(0x12, (n >> 8) & 0xff, n & 0xff);

interface ListValues {
  clock: string;
  energy: [number, number, number, number];
  meterNumber: number;
  power: [number, number, number, number];
  volts: [number, number, number];
  amps: [number, number, number];
  phaseImport: [number, number, number];
  pf: [number, number, number, number];
  phaseExport: [number, number, number];
}

/** The 65-item Danish list: id, 32 OBIS/value pairs in the order of doc/Denmark/Kamstrup_encrypted_OBIS.txt. */
function danishList(v: ListValues): Uint8Array {
  const id = new TextEncoder().encode('Kamstrup_V0001');
  const pairs: Uint8Array[] = [
    ...[1, 2, 3, 4].map((c, i) => concat(obis(c, 8), u32(v.energy[i]!))),
    concat(obis(0, 0, 1), u32(v.meterNumber)),
    ...[1, 2, 3, 4].map((c, i) => concat(obis(c, 7), u32(v.power[i]!))),
    concat(u8(0x09, 0x06, 0, 1, 1, 0, 0, 0xff), u8(0x09, 0x0c), Uint8Array.from(Buffer.from(v.clock, 'hex'))),
    ...[32, 52, 72].map((c, i) => concat(obis(c, 7), u16(v.volts[i]!))),
    ...[31, 51, 71].map((c, i) => concat(obis(c, 7), u32(v.amps[i]!))),
    ...[21, 41, 61].map((c, i) => concat(obis(c, 7), u32(v.phaseImport[i]!))),
    ...[33, 53, 73, 13].map((c, i) => concat(obis(c, 7), u16(v.pf[i]!))),
    ...[22, 42, 62].map((c, i) => concat(obis(c, 7), u32(v.phaseExport[i]!))),
    ...[22, 42, 62, 21, 41, 61].map((c) => concat(obis(c, 8), u32(0))),
  ];
  expect(pairs).toHaveLength(32);
  const body = concat(u8(0x02, 65, 0x0a, id.length), id, ...pairs);
  return buildFrame(concat(LLC, u8(0x0f, 0, 0, 0, 0, 0x00), body), { destination: [0x2b], source: [0x21] });
}

const dsoExample = danishList({
  clock: '07e4050c020a1832ff800080',
  energy: [0x1194ca, 0, 0x127e, 0x9550e],
  meterNumber: 0x0144ade1,
  power: [0x531, 0, 0, 0x54],
  volts: [0xe4, 0xe5, 0xe3],
  amps: [0x4b, 0x70, 0x1e4],
  phaseImport: [0x70, 0xb5, 0x40c],
  pf: [0x4d, 0x4e, 0x62, 0x63],
  phaseExport: [0, 0, 0],
});

const ctMeter = danishList({
  clock: '07e6020102091114ff800000',
  energy: [0xc2d170, 0x013bd295, 0x089d28be, 0x01351d],
  meterNumber: 0x0197ec48,
  power: [0, 0x0a19, 0xf784, 0],
  volts: [0xe9, 0xe9, 0xe9],
  amps: [0x016377, 0x016f03, 0x0169e5],
  phaseImport: [0, 0, 0],
  pf: [2, 5, 4, 4],
  phaseExport: [0, 0, 0],
});

describe('Kamstrup current scaler, settled by Σ U·I against |S|', () => {
  it('the Danish operator example (direct-connected) is physical at 0.01 A, impossible at mA', () => {
    const r = decodeFrame(dsoExample);
    expect(r.values).toMatchObject({ currentL1A: 0.75, currentL2A: 1.12, currentL3A: 4.84, powerImportL3W: 1036, powerFactorL3: 0.98 });
    expectPhysical(powerCheck(r.values)!, 'DSO example at -2');
    const milli = powerCheck(decodeFrame(dsoExample, { kamstrupCurrentScaler: -3 }).values)!;
    expect(milli.sumViUpper).toBeLessThan(milli.apparent);
  });

  it('the CT meter of amsreader #216 is ten times too high at 0.01 A and physical at mA', () => {
    const wrong = powerCheck(decodeFrame(ctMeter).values)!;
    expect(wrong.sumVi / wrong.apparent).toBeGreaterThan(9.5);
    const r = decodeFrame(ctMeter, { kamstrupCurrentScaler: -3 });
    expect(r.values).toMatchObject({ currentL1A: 90.999, currentL2A: 93.955, currentL3A: 92.645, powerExportW: 2585, powerReactiveImportVar: 63364 });
    const check = powerCheck(r.values)!;
    expectPhysical(check, 'CT meter at -3');
    expect(check.sumVi / check.apparent).toBeCloseTo(1.02, 2);
  });
});
