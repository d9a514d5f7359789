/**
 * What each P1 OBIS object means: a table from OBIS code to a handler, built from the named
 * constants in obis.ts and looked up by a small integer key (no string building per line).
 */
import * as O from '../obis.ts';
import { QUANTITIES, type QuantityName } from '../reading.ts';

// handlers
export const H_QUANTITY = 1;
export const H_TIME = 2;
export const H_VERSION = 3;
export const H_ID = 4;
export const H_MESSAGE = 5;
export const H_FAILURE_LOG = 6;
export const H_MONTH_PEAK = 7;
export const H_PEAK_HISTORY = 8;
export const H_MBUS_TYPE = 9;
export const H_MBUS_ID = 10;
export const H_MBUS_VALVE = 11;
export const H_MBUS_VALUE = 12;
export const H_MBUS_PROFILE = 13;

// what unit a quantity is stored in, which decides the accepted P1 units and the scaling
export const K_KWH = 1; // kWh; Wh, MWh converted; none = kWh
export const K_W = 2; // W from kW (P1 default) or W
export const K_KW = 3; // kW; W converted; none = kW
export const K_KVARH = 4; // kvarh; varh converted
export const K_VAR = 5; // var from kvar (default) or var
export const K_V = 6; // V
export const K_A = 7; // A
export const K_PLAIN = 8; // a count or state: no unit

export interface ObjectSpec {
  handler: number;
  quantity: QuantityName | null;
  /** Index of `quantity` in QUANTITIES, or -1. */
  index: number;
  kind: number;
  /** For H_ID: lower wins when a telegram carries several ids. */
  rank: number;
  /** For the tariff registers 1.8.1, 1.8.2, 2.8.1, 2.8.2: bit 0-3 of BodyContext.tariffMask; else -1. */
  tariffBit: number;
}

const TARIFF_REGISTERS: QuantityName[] = ['energyImportT1Kwh', 'energyImportT2Kwh', 'energyExportT1Kwh', 'energyExportT2Kwh'];

/**
 * Key of an OBIS code A-B:C.D.E, or -1 when no mapping can exist. Electricity channel B=1
 * (Sagemcom XT211 `1-1:1.8.1`) maps like B=0; M-Bus channels 1-4 map like channel 1.
 */
export function obisKey(a: number, b: number, c: number, d: number, e: number): number {
  if (a > 1 || b > 15 || c > 255 || d > 255 || e > 255) return -1;
  if (a === 1 && b === 1) b = 0;
  else if (a === 0 && b >= 1 && b <= 4) b = 1;
  return ((a * 16 + b) * 256 + c) * 65536 + d * 256 + e;
}

function keyOf(code: string): number {
  const m = /^(\d+)-(\d+):(\d+)\.(\d+)\.(\d+)$/.exec(code);
  if (m === null) throw new Error(`bad OBIS constant ${code}`);
  return obisKey(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]));
}

/** Every mapped object, by key (for tests and tooling; the decoder uses objectSpec). */
export const OBJECTS = new Map<number, ObjectSpec>();

/**
 * Open-addressing hash of key -> spec: an Int32Array probe is cheaper than Map#get on the hot path
 * (one lookup per line). 1024 slots for about 70 keys keeps probes short.
 */
const SLOTS = 1024;
const slotKeys = new Int32Array(SLOTS).fill(-1);
const slotSpecs: (ObjectSpec | undefined)[] = new Array<ObjectSpec | undefined>(SLOTS).fill(undefined);

function slotOf(key: number): number {
  return Math.imul(key, 0x9e3779b1) >>> 22;
}

/** The spec for a key from obisKey, or undefined when the object is not mapped. */
export function objectSpec(key: number): ObjectSpec | undefined {
  let slot = slotOf(key);
  for (;;) {
    const k = slotKeys[slot]!;
    if (k === key) return slotSpecs[slot];
    if (k === -1) return undefined;
    slot = (slot + 1) & (SLOTS - 1);
  }
}

function add(code: string, handler: number, quantity: QuantityName | null = null, kind = 0, rank = 0): void {
  const key = keyOf(code);
  const index = quantity === null ? -1 : QUANTITIES.indexOf(quantity);
  const spec = { handler, quantity, index, kind, rank, tariffBit: quantity === null ? -1 : TARIFF_REGISTERS.indexOf(quantity) };
  OBJECTS.set(key, spec);
  let slot = slotOf(key);
  while (slotKeys[slot] !== -1 && slotKeys[slot] !== key) slot = (slot + 1) & (SLOTS - 1);
  slotKeys[slot] = key;
  slotSpecs[slot] = spec;
}

function quantity(code: string, name: QuantityName, kind: number): void {
  add(code, H_QUANTITY, name, kind);
}

quantity(O.ENERGY_IMPORT, 'energyImportKwh', K_KWH);
quantity(O.ENERGY_IMPORT_T1, 'energyImportT1Kwh', K_KWH);
quantity(O.ENERGY_IMPORT_T2, 'energyImportT2Kwh', K_KWH);
quantity(O.ENERGY_EXPORT, 'energyExportKwh', K_KWH);
quantity(O.ENERGY_EXPORT_T1, 'energyExportT1Kwh', K_KWH);
quantity(O.ENERGY_EXPORT_T2, 'energyExportT2Kwh', K_KWH);
quantity(O.ENERGY_REACTIVE_IMPORT, 'energyReactiveImportKvarh', K_KVARH);
quantity(O.ENERGY_REACTIVE_EXPORT, 'energyReactiveExportKvarh', K_KVARH);
quantity(O.POWER_IMPORT, 'powerImportW', K_W);
quantity(O.POWER_EXPORT, 'powerExportW', K_W);
quantity(O.POWER_REACTIVE_IMPORT, 'powerReactiveImportVar', K_VAR);
quantity(O.POWER_REACTIVE_EXPORT, 'powerReactiveExportVar', K_VAR);
// per-phase reactive power, kvar on P1 (Swedish and Austrian P1 ports)
quantity(O.POWER_REACTIVE_IMPORT_L1, 'powerReactiveImportL1Var', K_VAR);
quantity(O.POWER_REACTIVE_IMPORT_L2, 'powerReactiveImportL2Var', K_VAR);
quantity(O.POWER_REACTIVE_IMPORT_L3, 'powerReactiveImportL3Var', K_VAR);
quantity(O.POWER_REACTIVE_EXPORT_L1, 'powerReactiveExportL1Var', K_VAR);
quantity(O.POWER_REACTIVE_EXPORT_L2, 'powerReactiveExportL2Var', K_VAR);
quantity(O.POWER_REACTIVE_EXPORT_L3, 'powerReactiveExportL3Var', K_VAR);
quantity(O.POWER_IMPORT_L1, 'powerImportL1W', K_W);
quantity(O.POWER_IMPORT_L2, 'powerImportL2W', K_W);
quantity(O.POWER_IMPORT_L3, 'powerImportL3W', K_W);
quantity(O.POWER_EXPORT_L1, 'powerExportL1W', K_W);
quantity(O.POWER_EXPORT_L2, 'powerExportL2W', K_W);
quantity(O.POWER_EXPORT_L3, 'powerExportL3W', K_W);
quantity(O.VOLTAGE_L1, 'voltageL1V', K_V);
quantity(O.VOLTAGE_L2, 'voltageL2V', K_V);
quantity(O.VOLTAGE_L3, 'voltageL3V', K_V);
quantity(O.CURRENT_L1, 'currentL1A', K_A);
quantity(O.CURRENT_L2, 'currentL2A', K_A);
quantity(O.CURRENT_L3, 'currentL3A', K_A);
quantity(O.CURRENT_NEUTRAL, 'currentNeutralA', K_A);
quantity(O.POWER_FACTOR, 'powerFactor', K_PLAIN);
quantity(O.POWER_FACTOR_L1, 'powerFactorL1', K_PLAIN);
quantity(O.POWER_FACTOR_L2, 'powerFactorL2', K_PLAIN);
quantity(O.POWER_FACTOR_L3, 'powerFactorL3', K_PLAIN);
quantity(O.TARIFF_INDICATOR, 'tariff', K_PLAIN);
quantity(O.POWER_FAILURES, 'powerFailures', K_PLAIN);
quantity(O.LONG_POWER_FAILURES, 'longPowerFailures', K_PLAIN);
quantity(O.VOLTAGE_SAGS_L1, 'voltageSagsL1', K_PLAIN);
quantity(O.VOLTAGE_SAGS_L2, 'voltageSagsL2', K_PLAIN);
quantity(O.VOLTAGE_SAGS_L3, 'voltageSagsL3', K_PLAIN);
quantity(O.VOLTAGE_SWELLS_L1, 'voltageSwellsL1', K_PLAIN);
quantity(O.VOLTAGE_SWELLS_L2, 'voltageSwellsL2', K_PLAIN);
quantity(O.VOLTAGE_SWELLS_L3, 'voltageSwellsL3', K_PLAIN);
quantity(O.DEMAND_CURRENT_AVERAGE, 'demandCurrentAverageKw', K_KW);
quantity(O.BREAKER_STATE, 'breakerState', K_PLAIN);
quantity(O.LIMITER_THRESHOLD, 'limiterThresholdKw', K_KW);
quantity(O.FUSE_THRESHOLD, 'fuseThresholdA', K_A);

add(O.METER_TIME, H_TIME);
add(O.P1_VERSION_DSMR, H_VERSION);
add(O.P1_VERSION_EMUCS, H_VERSION);
add(O.EQUIPMENT_ID, H_ID, null, 0, 0);
add(O.METER_SERIAL, H_ID, null, 0, 1);
add(O.METER_NUMBER, H_ID, null, 0, 2);
add(O.METER_NUMBER_GENERAL, H_ID, null, 0, 3);
add(O.TEXT_MESSAGE, H_MESSAGE);
add(O.TEXT_MESSAGE_CODE, H_MESSAGE);
add(O.POWER_FAILURE_LOG, H_FAILURE_LOG);
add(O.DEMAND_MONTH_PEAK, H_MONTH_PEAK);
add(O.DEMAND_PEAK_HISTORY, H_PEAK_HISTORY);

add(O.mbusObis.deviceType(1), H_MBUS_TYPE);
add(O.mbusObis.equipmentId(1), H_MBUS_ID);
add(O.p1MbusObis.equipmentIdBe(1), H_MBUS_ID);
add(O.mbusObis.valvePosition(1), H_MBUS_VALVE);
add(O.p1MbusObis.value(1), H_MBUS_VALUE);
add(O.p1MbusObis.valueUncorrected(1), H_MBUS_VALUE);
add(O.p1MbusObis.profile(1), H_MBUS_PROFILE);

/** FLAG manufacturer ids (header characters 2-4) of P1 meters, keyed by their upper-cased char codes. */
const VENDORS = new Map<number, string>(
  Object.entries({
    ISK: 'Iskraemeco',
    KFM: 'Kaifa',
    KMP: 'Kamstrup',
    ESY: 'EasyMeter',
    LGZ: 'Landis+Gyr',
    SAG: 'Sagemcom',
    EMH: 'EMH',
    ELS: 'Elster',
  }).map(([flag, name]) => [flagKey(flag, 0), name]),
);

function flagKey(text: string, at: number): number {
  // & 0xdf upper-cases ASCII letters: 'ISk' and 'ISK' are the same manufacturer
  return ((text.charCodeAt(at) & 0xdf) << 16) | ((text.charCodeAt(at + 1) & 0xdf) << 8) | (text.charCodeAt(at + 2) & 0xdf);
}

/** Vendor from the identification header (without '/'), or null when unknown. */
export function vendorOf(header: string): string | null {
  if (header.length < 3) return null;
  return VENDORS.get(flagKey(header, 0)) ?? null;
}
