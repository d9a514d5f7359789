/** COSEM date-time (12 bytes, IEC 62056-6-2 4.1.6.1) and how to turn a meter's clock into UTC. */
import type { Reading } from '../reading.ts';
import { toHex } from './hex.ts';
import { wallTimeToUtc, standardOffsetMs } from './zone-time.ts';

export interface CosemDateTime {
  year: number | null;
  month: number | null;
  day: number | null;
  dayOfWeek: number | null;
  hour: number | null;
  minute: number | null;
  second: number | null;
  hundredths: number | null;
  /** Minutes, Blue Book sign: UTC = local + deviation (CET = -60); null for 0x8000 "not specified". */
  deviation: number | null;
  /** Clock status byte; null for 0xFF "not specified". Bit 0x80 = daylight saving active. */
  status: number | null;
}

/**
 * How a vendor's wall clock relates to UTC:
 * - 'deviation': Blue Book; use the deviation when specified, else local time in the zone (DST by the status bit).
 * - 'local': local wall time in the zone incl. DST; the deviation is ignored (it does not follow the Blue Book).
 * - 'standard': local standard (winter) time all year; deviation and DST bit are ignored.
 */
export type ClockPolicy = 'deviation' | 'local' | 'standard';

const NA = 0xff;

/** Splits 12 bytes into fields; 0xFF / 0xFFFF / 0x8000 "not specified" become null. */
export function parseCosemDateTime(b: Uint8Array): CosemDateTime {
  const field = (v: number) => (v === NA ? null : v);
  const year = (b[0]! << 8) | b[1]!;
  const devRaw = (b[9]! << 8) | b[10]!;
  const deviation = devRaw === 0x8000 ? null : devRaw > 0x7fff ? devRaw - 0x10000 : devRaw;
  return {
    year: year === 0xffff ? null : year,
    month: field(b[2]!),
    day: field(b[3]!),
    dayOfWeek: field(b[4]!),
    hour: field(b[5]!),
    minute: field(b[6]!),
    second: field(b[7]!),
    hundredths: field(b[8]!),
    deviation,
    status: field(b[11]!),
  };
}

/** Wall-clock fields as a UTC epoch value, or null unless they name one real instant. */
function wallAsUtc(t: CosemDateTime): number | null {
  const { year, month, day, hour, minute } = t;
  if (year === null || month === null || day === null || hour === null || minute === null) return null;
  if (year < 1990 || year > 2200 || month < 1 || month > 12 || day < 1 || day > 31) return null;
  if (hour > 23 || minute > 59) return null;
  const second = t.second ?? 0;
  const hundredths = t.hundredths ?? 0;
  if (second > 59 || hundredths > 99) return null;
  const ms = Date.UTC(year, month - 1, day, hour, minute, second, hundredths * 10);
  // Feb 30 and similar roll over into the next month: not a real date
  if (new Date(ms).getUTCDate() !== day) return null;
  return ms;
}

/** The meter clock as a UTC Date under a vendor policy; null for unset or invalid clocks (never 1970). */
export function cosemDateTimeToUtc(t: CosemDateTime, policy: ClockPolicy, timeZone: string): Date | null {
  const wall = wallAsUtc(t);
  if (wall === null) return null;
  if (policy === 'deviation' && t.deviation !== null) {
    if (Math.abs(t.deviation) > 900) return null;
    return new Date(wall + t.deviation * 60_000);
  }
  if (policy === 'standard') return new Date(wall - standardOffsetMs(t.year!, timeZone));
  // a set DST bit settles the repeated autumn hour; a clear one is too often just "not filled in"
  const dst = policy === 'deviation' && t.status !== null && (t.status & 0x80) !== 0 ? true : null;
  return new Date(wallTimeToUtc(wall, timeZone, dst));
}

/**
 * Sets the reading's clock from the 12 bytes the meter sent: its UTC time, or, when they name a date that is
 * unset or cannot be one, no time and the bytes in hex as meterClockUnset. No date field specified is no clock.
 */
export function applyMeterClock(reading: Reading, bytes: Uint8Array, policy: ClockPolicy, timeZone: string): void {
  const t = parseCosemDateTime(bytes);
  reading.meterTime = cosemDateTimeToUtc(t, policy, timeZone);
  if (reading.meterTime !== null) delete reading.meterClockUnset;
  else if (t.year !== null || t.month !== null || t.day !== null) reading.meterClockUnset = toHex(bytes);
}
