import { emptyReading, METER_TYPE, withTariffTotals, type QuantityName, type Reading } from '@sem/meter-protocol';
import { isPlausibleTime } from '@sem/ingest';

/**
 * The JSON that AmsReader (UtilitechAS/amsreader-firmware) publishes, field names from its
 * JsonMqttHandler templates. Two payload formats share the field names:
 *   "JSON":        {id (Wi-Fi MAC), name, up, t (package time), vcc, rssi, temp, data {...}, realtime {...}}
 *   "JSON (flat)": the same values at the top level, no `data` object; realtime fields prefixed rt_
 * Meter values: lv (list version id), meterId (meter id; `id` inside data before v2.3), type (model),
 *   P PO Q QO (W, var), P1..P3 PO1..PO3 (W per phase), I1..I3 (A), U1..U3 (V), PF PF1..PF3,
 *   tPI tPO (kWh), tPIT1 tPIT2 tPOT1 tPOT2 (kWh per tariff), tQI tQO (kvarh),
 *   tPI1..3 tPO1..3 (kWh per phase, list 4), rtc (meter clock, epoch s).
 * The same topic (or its sub-topics) also carries system info, prices, temperatures, firmware
 * notices and raw meter bytes ({"data":"<hex>"}, sub-topic /data).
 * AmsReader prints 0 for a value the meter did not send.
 */

// key -> canonical quantity; units already match (W, var, A, V, kWh, kvarh).
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
  ['tPIT1', 'energyImportT1Kwh'],
  ['tPIT2', 'energyImportT2Kwh'],
  ['tPO', 'energyExportKwh'],
  ['tPOT1', 'energyExportT1Kwh'],
  ['tPOT2', 'energyExportT2Kwh'],
  ['tQI', 'energyReactiveImportKvarh'],
  ['tQO', 'energyReactiveExportKvarh'],
  ['tPI1', 'energyImportL1Kwh'],
  ['tPI2', 'energyImportL2Kwh'],
  ['tPI3', 'energyImportL3Kwh'],
  ['tPO1', 'energyExportL1Kwh'],
  ['tPO2', 'energyExportL2Kwh'],
  ['tPO3', 'energyExportL3Kwh'],
];

// Groups AmsReader fills with 0 when the meter lacks them: all-zero means "not sent".
const ZERO_MEANS_ABSENT: readonly (readonly QuantityName[])[] = [
  ['voltageL2V', 'voltageL3V', 'currentL2A', 'currentL3A'],
  ['powerImportL1W', 'powerImportL2W', 'powerImportL3W', 'powerExportL1W', 'powerExportL2W', 'powerExportL3W', 'powerFactor', 'powerFactorL1', 'powerFactorL2', 'powerFactorL3'],
  ['energyImportT1Kwh', 'energyImportT2Kwh'],
  ['energyExportT1Kwh', 'energyExportT2Kwh'],
  ['energyImportL1Kwh', 'energyImportL2Kwh', 'energyImportL3Kwh'],
  ['energyExportL1Kwh', 'energyExportL2Kwh', 'energyExportL3Kwh'],
];

export type AmsReaderParse =
  | { kind: 'reading'; reading: Reading; deviceMac: string | null }
  /** Raw meter bytes AmsReader forwards as hex ({"data":"7E..."}): an HDLC frame or a P1 telegram. */
  | { kind: 'meter-bytes'; bytes: Buffer; framing: 'hdlc' | 'p1' }
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

/** What a message without meter values is, by the keys of AmsReader's other templates. */
function otherMessage(doc: Record<string, unknown>): string {
  if ('installed_version' in doc) return 'firmware notice';
  if ('version' in doc) return 'system info';
  if ('temperatures' in doc) return 'temperatures';
  if ('prices' in doc || 'pr_min' in doc) return 'prices';
  return 'unknown message';
}

function rawBytes(hex: string): AmsReaderParse {
  if (!/^(?:[0-9a-fA-F]{2})+$/.test(hex)) return { kind: 'malformed', reason: '"data" is a string but not hex bytes' };
  const bytes = Buffer.from(hex, 'hex');
  if (bytes[0] === 0x7e) return { kind: 'meter-bytes', bytes, framing: 'hdlc' };
  if (bytes[0] === 0x2f) return { kind: 'meter-bytes', bytes, framing: 'p1' };
  return { kind: 'not-a-reading', what: 'raw meter bytes of unknown framing' };
}

/** AmsReader JSON (either format) to one normalized reading; never throws. */
export function parseAmsReaderJson(payload: Buffer | string): AmsReaderParse {
  let doc: unknown;
  try {
    doc = JSON.parse(typeof payload === 'string' ? payload : payload.toString('utf8'));
  } catch (error) {
    return { kind: 'malformed', reason: `not JSON: ${(error as Error).message}` };
  }
  if (!isRecord(doc)) return { kind: 'malformed', reason: 'not a JSON object' };
  if (typeof doc['data'] === 'string') return rawBytes(doc['data']);
  // "JSON (flat)" has the meter values at the top level: at least its active power P
  const flat = doc['data'] === undefined && 'P' in doc;
  if (doc['data'] === undefined && !flat) return { kind: 'not-a-reading', what: otherMessage(doc) };
  const data = flat ? doc : doc['data'];
  if (!isRecord(data)) return { kind: 'malformed', reason: '"data" is not an object' };
  const where = flat ? '' : 'data.';

  const reading = emptyReading('han');
  reading.checksum = 'unchecked';
  for (const [key, quantity] of FIELD_MAP) {
    const value = data[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      return { kind: 'malformed', reason: `${where}${key} is not a number` };
    }
    reading.values[quantity] = value;
  }
  if (Object.keys(reading.values).length === 0) return { kind: 'malformed', reason: `no meter values in ${flat ? 'the message' : '"data"'}` };
  for (const group of ZERO_MEANS_ABSENT) {
    if (group.every((q) => reading.values[q] === undefined || reading.values[q] === 0)) {
      for (const q of group) delete reading.values[q];
    }
  }
  // a meter with tariff registers only: the total as a P1 meter's telegram would give it
  reading.values = withTariffTotals(reading.values);

  // AmsReader's list type: 1 = power only, 2 = + voltages/currents, 3 (and its "4") = + registers.
  reading.list = 'tPI' in data ? 3 : 'U1' in data || 'I1' in data ? 2 : 1;
  // since v2.3 the meter id is meterId; older releases sent it as data.id (flat's top-level id is the MAC)
  reading.meterId = text(data['meterId']) ?? (flat ? null : text(data['id']));
  reading.header = text(data['lv']);
  const model = text(data['type']);
  if (model !== null) reading.raw.push({ obis: METER_TYPE, value: model });
  // The meter clock (list 3 `rtc`) wins; `t` is the reader's own clock, seconds since boot until it syncs:
  // an implausible one is no clock at all: the reading is stored as clockless and marked (db/docs/storage.md "Meter times").
  const readerClock = epochSeconds(doc['t']);
  reading.meterTime = epochSeconds(data['rtc']) ?? (readerClock && isPlausibleTime(readerClock, new Date()) ? readerClock : null);
  if (reading.meterTime === null && typeof doc['t'] === 'number') reading.meterClockUnset = `t=${doc['t']}`;
  return { kind: 'reading', reading, deviceMac: text(doc['id']) };
}
