/**
 * The one normalized reading both protocols produce. Every quantity name carries its unit.
 * Energy registers are cumulative; power, voltage and current are instantaneous.
 */

/** Every numeric quantity a reading can carry, in a stable order (the storage columns follow it). */
export const QUANTITIES = [
  // cumulative active energy registers (1-0:1.8.x import, 1-0:2.8.x export)
  'energyImportKwh',
  'energyImportT1Kwh',
  'energyImportT2Kwh',
  'energyExportKwh',
  'energyExportT1Kwh',
  'energyExportT2Kwh',
  // cumulative reactive energy registers (HAN list 3: 1-0:3.8.0, 1-0:4.8.0)
  'energyReactiveImportKvarh',
  'energyReactiveExportKvarh',
  // instantaneous power, total and per phase
  'powerImportW',
  'powerExportW',
  'powerReactiveImportVar',
  'powerReactiveExportVar',
  'powerImportL1W',
  'powerImportL2W',
  'powerImportL3W',
  'powerExportL1W',
  'powerExportL2W',
  'powerExportL3W',
  // per-phase voltage and current
  'voltageL1V',
  'voltageL2V',
  'voltageL3V',
  'currentL1A',
  'currentL2A',
  'currentL3A',
  'currentNeutralA',
  'powerFactor',
  'powerFactorL1',
  'powerFactorL2',
  'powerFactorL3',
  // tariff indicator 0-0:96.14.0 (1 or 2; meaning depends on the country profile)
  'tariff',
  // power failures and voltage quality counters
  'powerFailures',
  'longPowerFailures',
  'voltageSagsL1',
  'voltageSagsL2',
  'voltageSagsL3',
  'voltageSwellsL1',
  'voltageSwellsL2',
  'voltageSwellsL3',
  // Belgian capacity tariff: 1-0:1.4.0 running quarter-hour average demand
  'demandCurrentAverageKw',
  // breaker and limiter: 0-0:96.3.10, 0-0:17.0.0, 1-0:31.4.0
  'breakerState',
  'limiterThresholdKw',
  'fuseThresholdA',
  // per-phase reactive power (HAN: Swedish lists 1-0:23/43/63.7.0 and 24/44/64.7.0)
  'powerReactiveImportL1Var',
  'powerReactiveImportL2Var',
  'powerReactiveImportL3Var',
  'powerReactiveExportL1Var',
  'powerReactiveExportL2Var',
  'powerReactiveExportL3Var',
  // per-phase active energy registers (HAN: Danish Kamstrup 1-1:21/41/61.8.0 and 22/42/62.8.0, AmsReader list 4)
  'energyImportL1Kwh',
  'energyImportL2Kwh',
  'energyImportL3Kwh',
  'energyExportL1Kwh',
  'energyExportL2Kwh',
  'energyExportL3Kwh',
] as const;

export type QuantityName = (typeof QUANTITIES)[number];
export type QuantityValues = Partial<Record<QuantityName, number>>;

/** M-Bus device types the meters report in 0-n:24.1.0. */
export const MBUS_DEVICE_TYPES = { gas: 3, heat: 4, warmWater: 6, water: 7, cooling: 10 } as const;

/** One M-Bus channel (gas, water, heat, ...) read through the electricity meter. */
export interface MbusReading {
  /** Channel 1 to 4 (the B field of 0-n:24.x). */
  channel: number;
  /** Device type from 0-n:24.1.0 (3 gas, 7 water, 4 heat, ...); null when not sent. */
  deviceType: number | null;
  /** Equipment id, hex text decoded to ASCII where it is printable. */
  equipmentId: string | null;
  /** Register value as sent; null for the empty sentinel channel. */
  value: number | null;
  /** Unit as the meter sends it, normalized: 'm3', 'GJ', 'kWh'. */
  unit: string | null;
  /** Capture time of the value in UTC; null when unset or sentinel. */
  capturedAt: Date | null;
  /** Valve position 0-n:24.4.0 when sent. */
  valvePosition?: number;
}

/** One entry of the long power failure log 1-0:99.97.0. */
export interface PowerFailureEvent {
  /** End of the failure in UTC; null for the sentinel entries some meters send. */
  endedAt: Date | null;
  durationS: number;
}

/** A capacity-tariff peak: the highest quarter-hour average demand of a month. */
export interface DemandPeak {
  /** When the peak occurred, UTC; null when unset. */
  at: Date | null;
  kw: number;
  /** For the history 0-0:98.1.0: the month boundary the entry was captured at, UTC. */
  periodEnd?: Date | null;
}

/** An object the decoder does not map, kept as it was sent. */
export interface RawObject {
  /** OBIS code in A-B:C.D.E form (P1) or A-B:C.D.E.F (HAN); for positional HAN items, `#index`. */
  obis: string;
  /** The text after the OBIS code (P1) or the decoded COSEM value (HAN) as text. */
  value: string;
}

export interface Reading {
  protocol: 'p1' | 'han';
  /** Meter time in UTC; null when the meter sends none or an unset/sentinel clock. */
  meterTime: Date | null;
  /**
   * The clock the message carried when it is unset or cannot be a date (meterTime is then null), as sent:
   * P1 text (`000101000000W`), HAN date-time bytes in hex, AmsReader `t`. Absent when the clock was usable
   * or the message carried none (DSMR 2.2 without a timestamp, Aidon lists 1/2).
   */
  meterClockUnset?: string;
  /** Electricity meter equipment id (0-0:96.1.1 / 0-0:96.1.0), decoded. */
  meterId: string | null;
  /** P1 identification header (without '/'), or the HAN list version id (e.g. AIDON_V0001). */
  header: string | null;
  /** Protocol version: 1-3:0.2.8 / 0-0:96.1.4 for P1. */
  version: string | null;
  /** Vendor when known (Aidon, Kaifa, Kamstrup, ...). */
  vendor: string | null;
  /** HAN list number 1, 2 or 3; null for P1. */
  list: number | null;
  /** 'valid' when a CRC/FCS was checked; 'unchecked' for DSMR 2.2/3 telegrams that carry none. */
  checksum: 'valid' | 'unchecked';
  values: QuantityValues;
  mbus: MbusReading[];
  powerFailureLog: PowerFailureEvent[];
  /** 1-0:1.6.0: this month's peak demand. */
  demandMonthPeak: DemandPeak | null;
  /** 0-0:98.1.0: history of monthly peaks, newest first as the meter sends it. */
  demandPeakHistory: DemandPeak[];
  /** Text messages 0-0:96.13.0 / 0-0:96.13.1, decoded; empty ones omitted. */
  messages: string[];
  /** Objects kept as sent because no mapping exists; never dropped. */
  raw: RawObject[];
}

/** A reading with nothing in it, for decoders to fill. */
export function emptyReading(protocol: Reading['protocol']): Reading {
  return {
    protocol,
    meterTime: null,
    meterId: null,
    header: null,
    version: null,
    vendor: null,
    list: null,
    checksum: 'valid',
    values: {},
    mbus: [],
    powerFailureLog: [],
    demandMonthPeak: null,
    demandPeakHistory: [],
    messages: [],
    raw: [],
  };
}
