/**
 * The two 65-item Danish Kamstrup_V0001 lists whose values are published, rebuilt from their numbers
 * (neither source allows copying its bytes): the grid operator's example and the #216 CT meter.
 * Sources and what they prove: kamstrup-current-scaler.test.ts.
 */
import { expect } from 'vitest';
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

export const dsoExample = danishList({
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

export const ctMeter = danishList({
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
