/** One value of a HAN list (OBIS-coded or positional) and how it lands in the normalized Reading. */
import * as O from '../obis.ts';
import { obisShort } from '../obis.ts';
import type { Reading } from '../reading.ts';
import { latin1, numericValue, printable, type CosemValue } from './axdr-data.ts';
import { applyMeterClock, type ClockPolicy } from './cosem-datetime.ts';
import { applyScaler } from './cosem-units.ts';
import { toHex } from './hex.ts';
import { cde, QUANTITY_BY_CDE } from './han-quantities.ts';

export interface ListItem {
  /** OBIS code A-B:C.D.E.F as sent or as the vendor layout defines it; null when unknown. */
  obis: string | null;
  /** Position in the list, used as `#n` for items without OBIS. */
  position: number;
  value: CosemValue;
  /** Scaler from the frame or the vendor's implicit one; null when unknown. */
  scaler: number | null;
  /** Unit text from the frame or the vendor's implicit one; null when unknown. */
  unit: string | null;
}

export interface ClockSettings {
  policy: ClockPolicy;
  timeZone: string;
}

/** Six-group OBIS text of a 6-byte octet-string (A-B:C.D.E.F). */
export function obisText(b: Uint8Array): string {
  return `${b[0]}-${b[1]}:${b[2]}.${b[3]}.${b[4]}.${b[5]}`;
}

/** A date-time carried as octet-string(12) or date-time, else null. */
export function dateTimeBytes(v: CosemValue): Uint8Array | null {
  if ((v.type === 'octet-string' || v.type === 'date-time') && v.bytes.length === 12) return v.bytes;
  return null;
}

/** Text of a value for reading.raw and for identification strings. */
export function valueText(v: CosemValue): string {
  switch (v.type) {
    case 'null':
      return '';
    case 'visible-string':
    case 'utf8-string':
      return v.value;
    case 'octet-string':
      return printable(v.bytes) ?? toHex(v.bytes);
    case 'bit-string':
    case 'date-time':
    case 'date':
    case 'time':
      return toHex(v.bytes);
    case 'boolean':
      return String(v.value);
    case 'array':
    case 'structure':
      return `[${v.items.map(valueText).join(', ')}]`;
    default:
      return String(v.value);
  }
}

function stringOf(v: CosemValue): string | null {
  if (v.type === 'visible-string' || v.type === 'utf8-string') return v.value;
  if (v.type === 'octet-string') return latin1(v.bytes);
  return null;
}

const LIST_VERSION_CODES = new Set([O.LIST_VERSION, O.HAN_LIST_VERSION_SE]);
const METER_ID_CODES = new Set([O.METER_SERIAL, O.HAN_METER_ID_KAMSTRUP]);
const CLOCK_CODES = new Set([O.HAN_CLOCK, O.HAN_CLOCK_KAMSTRUP]);

/**
 * Writes the items into the reading: identification, clock, mapped quantities; anything else
 * goes to reading.raw.
 */
export function applyListItems(reading: Reading, items: readonly ListItem[], clock: ClockSettings): void {
  for (const item of items) {
    const v = item.value;
    if (v.type === 'null') continue; // Kamstrup 1-phase placeholders for missing L2/L3
    const code = item.obis === null ? null : obisShort(item.obis);
    if (code !== null && LIST_VERSION_CODES.has(code) && stringOf(v) !== null) {
      reading.header = stringOf(v);
      continue;
    }
    if (code !== null && METER_ID_CODES.has(code) && stringOf(v) !== null) {
      reading.meterId = stringOf(v);
      continue;
    }
    const dt = dateTimeBytes(v);
    if (code !== null && CLOCK_CODES.has(code) && dt) {
      applyMeterClock(reading, dt, clock.policy, clock.timeZone);
      continue;
    }
    if (code !== null && code.startsWith('1-') && mapQuantity(reading, code, item)) continue;
    reading.raw.push({ obis: item.obis ?? `#${item.position}`, value: rawText(item) });
  }
}

function mapQuantity(reading: Reading, code: string, item: ListItem): boolean {
  const target = QUANTITY_BY_CDE.get(cde(code));
  const raw = numericValue(item.value);
  if (!target || raw === null || item.scaler === null) return false;
  if (item.unit !== null && item.unit !== target.unit && !(target.unit === '' && item.unit === '')) return false;
  reading.values[target.quantity] = applyScaler(raw, item.scaler + target.toQuantityExp);
  return true;
}

function rawText(item: ListItem): string {
  const raw = numericValue(item.value);
  if (raw !== null && item.scaler !== null) {
    const scaled = applyScaler(raw, item.scaler);
    return item.unit ? `${scaled} ${item.unit}` : String(scaled);
  }
  return valueText(item.value);
}
