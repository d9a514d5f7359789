/**
 * OBIS codes as named constants, in the short A-B:C.D.E form P1 telegrams use.
 * HAN lists carry the six-group form A-B:C.D.E.F; `obisShort` drops the F group (always 255 here).
 */

// identification and time
export const P1_VERSION_DSMR = '1-3:0.2.8'; // DSMR protocol version (42, 50)
export const P1_VERSION_EMUCS = '0-0:96.1.4'; // e-MUCS version XXXYY (50217)
export const METER_TIME = '0-0:1.0.0'; // meter clock, YYMMDDhhmmssX
export const EQUIPMENT_ID = '0-0:96.1.1'; // equipment id, hex-encoded text
export const EQUIPMENT_ID_BE = '0-0:96.1.2'; // e-MUCS 2.x extra equipment id, hex-encoded text
export const METER_SERIAL = '0-0:96.1.0'; // meter serial (HAN) / id (some P1)
export const METER_TYPE = '0-0:96.1.7'; // meter type (HAN)
export const LIST_VERSION = '1-1:0.2.129'; // HAN list version id (AIDON_V0001, KFM_001)
export const TARIFF_INDICATOR = '0-0:96.14.0'; // active tariff, 1 or 2

// cumulative active energy, kWh
export const ENERGY_IMPORT = '1-0:1.8.0'; // import total
export const ENERGY_IMPORT_T1 = '1-0:1.8.1'; // import tariff 1
export const ENERGY_IMPORT_T2 = '1-0:1.8.2'; // import tariff 2
export const ENERGY_EXPORT = '1-0:2.8.0'; // export total
export const ENERGY_EXPORT_T1 = '1-0:2.8.1'; // export tariff 1
export const ENERGY_EXPORT_T2 = '1-0:2.8.2'; // export tariff 2
export const ENERGY_REACTIVE_IMPORT = '1-0:3.8.0'; // reactive import, kvarh
export const ENERGY_REACTIVE_EXPORT = '1-0:4.8.0'; // reactive export, kvarh
export const ENERGY_IMPORT_L1 = '1-0:21.8.0'; // active import L1
export const ENERGY_IMPORT_L2 = '1-0:41.8.0'; // active import L2
export const ENERGY_IMPORT_L3 = '1-0:61.8.0'; // active import L3
export const ENERGY_EXPORT_L1 = '1-0:22.8.0'; // active export L1
export const ENERGY_EXPORT_L2 = '1-0:42.8.0'; // active export L2
export const ENERGY_EXPORT_L3 = '1-0:62.8.0'; // active export L3

// instantaneous power, kW on P1, W on HAN
export const POWER_IMPORT = '1-0:1.7.0'; // active import
export const POWER_EXPORT = '1-0:2.7.0'; // active export
export const POWER_REACTIVE_IMPORT = '1-0:3.7.0'; // reactive import, var
export const POWER_REACTIVE_EXPORT = '1-0:4.7.0'; // reactive export, var
export const POWER_IMPORT_L1 = '1-0:21.7.0'; // active import L1
export const POWER_IMPORT_L2 = '1-0:41.7.0'; // active import L2
export const POWER_IMPORT_L3 = '1-0:61.7.0'; // active import L3
export const POWER_EXPORT_L1 = '1-0:22.7.0'; // active export L1
export const POWER_EXPORT_L2 = '1-0:42.7.0'; // active export L2
export const POWER_EXPORT_L3 = '1-0:62.7.0'; // active export L3

// voltage V, current A, power factor
export const VOLTAGE_L1 = '1-0:32.7.0'; // voltage L1
export const VOLTAGE_L2 = '1-0:52.7.0'; // voltage L2
export const VOLTAGE_L3 = '1-0:72.7.0'; // voltage L3
export const CURRENT_L1 = '1-0:31.7.0'; // current L1
export const CURRENT_L2 = '1-0:51.7.0'; // current L2
export const CURRENT_L3 = '1-0:71.7.0'; // current L3
export const CURRENT_NEUTRAL = '1-0:91.7.0'; // neutral current
export const POWER_FACTOR = '1-0:13.7.0'; // power factor total
export const POWER_FACTOR_L1 = '1-0:33.7.0'; // power factor L1
export const POWER_FACTOR_L2 = '1-0:53.7.0'; // power factor L2
export const POWER_FACTOR_L3 = '1-0:73.7.0'; // power factor L3

// power failures and voltage quality
export const POWER_FAILURES = '0-0:96.7.21'; // short power failures, count
export const LONG_POWER_FAILURES = '0-0:96.7.9'; // long power failures, count
export const POWER_FAILURE_LOG = '1-0:99.97.0'; // long power failure event log
export const VOLTAGE_SAGS_L1 = '1-0:32.32.0'; // voltage sags L1, count
export const VOLTAGE_SAGS_L2 = '1-0:52.32.0'; // voltage sags L2, count
export const VOLTAGE_SAGS_L3 = '1-0:72.32.0'; // voltage sags L3, count
export const VOLTAGE_SWELLS_L1 = '1-0:32.36.0'; // voltage swells L1, count
export const VOLTAGE_SWELLS_L2 = '1-0:52.36.0'; // voltage swells L2, count
export const VOLTAGE_SWELLS_L3 = '1-0:72.36.0'; // voltage swells L3, count
export const TEXT_MESSAGE = '0-0:96.13.0'; // text message, hex-encoded
export const TEXT_MESSAGE_CODE = '0-0:96.13.1'; // numeric message (DSMR 4), hex-encoded

// Belgian capacity tariff
export const DEMAND_CURRENT_AVERAGE = '1-0:1.4.0'; // running quarter-hour average demand, kW
export const DEMAND_MONTH_PEAK = '1-0:1.6.0'; // this month's peak demand: time, kW
export const DEMAND_PEAK_HISTORY = '0-0:98.1.0'; // monthly peaks: count, then (period end)(time)(kW)

// breaker, limiter, fuse
export const BREAKER_STATE = '0-0:96.3.10'; // breaker state 0 off, 1 on, 2 ready
export const LIMITER_THRESHOLD = '0-0:17.0.0'; // limiter threshold, kW
export const FUSE_THRESHOLD = '1-0:31.4.0'; // fuse supervision threshold L1, A

/** M-Bus objects for channel n (1-4): the B group is the channel. */
export const mbusObis = {
  deviceType: (n: number) => `0-${n}:24.1.0`, // device type: 3 gas, 7 water, 4 heat
  equipmentId: (n: number) => `0-${n}:96.1.0`, // equipment id, hex-encoded (96.1.1 in e-MUCS)
  valvePosition: (n: number) => `0-${n}:24.4.0`, // valve position
} as const;

/** Drops a trailing `.255` F group so HAN codes compare equal to P1 codes. */
export function obisShort(code: string): string {
  return code.endsWith('.255') ? code.slice(0, -4) : code;
}

// HAN (DLMS/COSEM) objects not used by P1
export const POWER_REACTIVE_IMPORT_L1 = '1-0:23.7.0'; // reactive import L1, var
export const POWER_REACTIVE_IMPORT_L2 = '1-0:43.7.0'; // reactive import L2, var
export const POWER_REACTIVE_IMPORT_L3 = '1-0:63.7.0'; // reactive import L3, var
export const POWER_REACTIVE_EXPORT_L1 = '1-0:24.7.0'; // reactive export L1, var
export const POWER_REACTIVE_EXPORT_L2 = '1-0:44.7.0'; // reactive export L2, var
export const POWER_REACTIVE_EXPORT_L3 = '1-0:64.7.0'; // reactive export L3, var
export const HAN_CLOCK = '0-0:1.0.0'; // meter clock inside a HAN list, COSEM date-time
export const HAN_CLOCK_KAMSTRUP = '0-1:1.0.0'; // Kamstrup clock in the hourly list (B=1)
export const HAN_METER_ID_KAMSTRUP = '1-1:0.0.5'; // Kamstrup meter id (GS1 number), text
export const HAN_METER_TYPE_KAMSTRUP = '1-1:96.1.1'; // Kamstrup meter type, text
export const HAN_LIST_VERSION_SE = '1-0:0.2.129'; // list version id in Swedish Kaifa lists
export const HAN_PUSH_SETUP_AT = '0-6:25.9.0'; // push setup object heading Austrian push lists

// P1 additions: meter numbers some P1 meters send instead of (or beside) 0-0:96.1.1
export const METER_NUMBER = '1-0:0.0.0'; // meter number, plain text (EasyMeter Q3D, Irish Iskra)
export const METER_NUMBER_GENERAL = '0-0:0.0.0'; // meter number, plain text (Sagemcom XT211)

/** P1 M-Bus value objects for channel n (1-4), beside `mbusObis`. */
export const p1MbusObis = {
  value: (n: number) => `0-${n}:24.2.1`, // last value: (capture time)(value*unit); NL gas corrected, water, heat
  valueUncorrected: (n: number) => `0-${n}:24.2.3`, // e-MUCS gas/water: (capture time)(value*m3), not temperature-corrected
  profile: (n: number) => `0-${n}:24.3.0`, // DSMR 2.2/3 gas profile: (time)(..)(..)(..)(obis)(unit) then (value) on the next line
  equipmentIdBe: (n: number) => `0-${n}:96.1.1`, // e-MUCS equipment id, hex-encoded
} as const;
