import { emptyReading, METER_TYPE, type QuantityName, type Reading } from '@sem/meter-protocol';
import { isPlausibleTime } from '@sem/ingest';

/**
 * The JSON that AmsReader (UtilitechAS/amsreader-firmware, MQTT payload format "JSON") publishes to
 * its one publish topic. Field names from its json1..json4 templates:
 *   top level: id (Wi-Fi MAC), name (client id), up (uptime s), t (package time, epoch s),
 *              vcc, rssi, temp, data {...}, realtime {...} (its own hour/day accounting: not meter data)
 *   data: lv (list version id), id (meter id), type (meter model),
 *         P PO Q QO (W, var), P1..P3 PO1..PO3 (W per phase), I1..I3 (A), U1..U3 (V),
 *         PF PF1..PF3, tPI tPO (kWh), tQI tQO (kvarh), tPI1..3 tPO1..3 (kWh per phase), rtc (meter clock, epoch s)
 * The same topic also carries system info ({id,name,up,vcc,rssi,temp,version}), prices and
 * temperatures: those have no `data` and are not readings.
 * AmsReader publishes with QoS 0 and prints 0 for a value the meter did not send.
 */

// data key -> canonical quantity; units already match (W, var, A, V, kWh, kvarh).
const FIELD_MAP: ReadonlyArray<readonly [string, QuantityName]> = [
  ['P', 'powerImportW'],
  ['PO', 'powerExportW'],
  ['Q', 'powerReactiveImportVar'],
  ['QO', 'powerReactiveExportVar'],
  ['P1', 'powerImportL1W'],
  ['P2', 'powerImportL2W'],
  ['P3', 'powerImportL3W'],
  ['PO1', 'powerExportL1W'],
  ['PO2', 'powerExportL2W'],
  ['PO3', 'powerExportL3W'],
  ['I1', 'currentL1A'],
  ['I2', 'currentL2A'],
  ['I3', 'currentL3A'],
  ['U1', 'voltageL1V'],
  ['U2', 'voltageL2V'],
  ['U3', 'voltageL3V'],
  ['PF', 'powerFactor'],
  ['PF1', 'powerFactorL1'],
  ['PF2', 'powerFactorL2'],
  ['PF3', 'powerFactorL3'],
  ['tPI', 'energyImportKwh'],
  ['tPO', 'energyExportKwh'],
  ['tQI', 'energyReactiveImportKvarh'],
  ['tQO', 'energyReactiveExportKvarh'],
];

// Per-phase energy registers have no canonical quantity: kept as raw objects under their OBIS code.
const RAW_FIELDS: ReadonlyArray<readonly [string, string]> = [
  ['tPI1', '1-0:21.8.0'],
  ['tPI2', '1-0:41.8.0'],
  ['tPI3', '1-0:61.8.0'],
  ['tPO1', '1-0:22.8.0'],
  ['tPO2', '1-0:42.8.0'],
  ['tPO3', '1-0:62.8.0'],
];

// Groups AmsReader fills with 0 when the meter lacks them: all-zero means "not sent".
const PHASE_2_3: readonly QuantityName[] = ['voltageL2V', 'voltageL3V', 'currentL2A', 'currentL3A'];
const LIST4_EXTRAS: readonly QuantityName[] = [
  'powerImportL1W', 'powerImportL2W', 'powerImportL3W', 'powerExportL1W', 'powerExportL2W', 'powerExportL3W',
  'powerFactor', 'powerFactorL1', 'powerFactorL2', 'powerFactorL3',
];

export type AmsReaderParse =
  | { kind: 'reading'; reading: Reading; deviceMac: string | null }
  | { kind: 'not-a-reading'; what: string }
  | { kind: 'malformed'; reason: string };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function epochSeconds(value: unknown): Date | null {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? new Date(value * 1000) : null;
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

/** AmsReader JSON to one normalized reading; never throws. */
export function parseAmsReaderJson(payload: Buffer | string): AmsReaderParse {
  let doc: unknown;
  try {
    doc = JSON.parse(typeof payload === 'string' ? payload : payload.toString('utf8'));
  } catch (error) {
    return { kind: 'malformed', reason: `not JSON: ${(error as Error).message}` };
  }
  if (!isRecord(doc)) return { kind: 'malformed', reason: 'not a JSON object' };
  const data = doc['data'];
  if (data === undefined) {
    const what = 'version' in doc ? 'system info' : 'temperatures' in doc ? 'temperatures' : 'prices or other';
    return { kind: 'not-a-reading', what };
  }
  if (!isRecord(data)) return { kind: 'malformed', reason: '"data" is not an object' };

  const reading = emptyReading('han');
  reading.checksum = 'unchecked';
  for (const [key, quantity] of FIELD_MAP) {
    const value = data[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      return { kind: 'malformed', reason: `data.${key} is not a number` };
    }
    reading.values[quantity] = value;
  }
  for (const [key, obis] of RAW_FIELDS) {
    const value = data[key];
    if (typeof value === 'number' && Number.isFinite(value) && value !== 0) reading.raw.push({ obis, value: String(value) });
  }
  if (Object.keys(reading.values).length === 0) return { kind: 'malformed', reason: 'no meter values in "data"' };
  for (const group of [PHASE_2_3, LIST4_EXTRAS]) {
    if (group.every((q) => reading.values[q] === undefined || reading.values[q] === 0)) {
      for (const q of group) delete reading.values[q];
    }
  }

  // AmsReader's list type: 1 = power only, 2 = + voltages/currents, 3 (and its "4") = + registers.
  reading.list = 'tPI' in data ? 3 : 'U1' in data || 'I1' in data ? 2 : 1;
  reading.meterId = text(data['id']);
  reading.header = text(data['lv']);
  const model = text(data['type']);
  if (model !== null) reading.raw.push({ obis: METER_TYPE, value: model });
  // The meter clock (list 3 `rtc`) wins; `t` is the reader's own clock, seconds since boot until it syncs:
  // an implausible one is no clock at all and the reading is stored as clockless (docs/storage.md "Meter times").
  const readerClock = epochSeconds(doc['t']);
  reading.meterTime = epochSeconds(data['rtc']) ?? (readerClock && isPlausibleTime(readerClock, new Date()) ? readerClock : null);
  return { kind: 'reading', reading, deviceMac: text(doc['id']) };
}
