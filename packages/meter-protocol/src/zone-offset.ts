/** A zone's wall clock and UTC offset from node's Intl (no tz database of our own), shared by the P1 and HAN clocks and the services. */
import { UnsupportedError } from './errors.ts';

const formats = new Map<string, Intl.DateTimeFormat>();

/** The wall-clock formatter of an IANA zone, made once per zone; an unknown zone is an UnsupportedError. */
export function zoneFormat(timeZone: string): Intl.DateTimeFormat {
  let format = formats.get(timeZone);
  if (format === undefined) {
    try {
      format = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch (error) {
      throw new UnsupportedError(`unknown time zone "${timeZone}"`, { cause: error });
    }
    formats.set(timeZone, format);
  }
  return format;
}

/** Throws an UnsupportedError naming the zone when the runtime does not know it. */
export function assertTimeZone(timeZone: string): void {
  zoneFormat(timeZone);
}

/** The wall clock `format` shows at a UTC instant, read as if it were UTC (ms since the epoch). */
function wallAsUtc(format: Intl.DateTimeFormat, utcMs: number): number {
  let y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  for (const part of format.formatToParts(utcMs)) {
    const v = Number(part.value);
    switch (part.type) {
      case 'year': y = v; break;
      case 'month': mo = v; break;
      case 'day': d = v; break;
      case 'hour': h = v; break;
      case 'minute': mi = v; break;
      case 'second': s = v; break;
    }
  }
  return Date.UTC(y, mo - 1, d, h, mi, s);
}

/** UTC offset in ms (CET = +3 600 000) of the zone `format` shows, at a whole-second UTC instant. */
export function offsetFromFormat(format: Intl.DateTimeFormat, utcMs: number): number {
  return wallAsUtc(format, utcMs) - utcMs;
}

/** Wall-clock time of an instant in an IANA zone. */
export interface ZoneWallTime {
  year: number;
  /** 1..12 */
  month: number;
  day: number;
  /** 0..23 */
  hour: number;
  minute: number;
  second: number;
  /** ISO weekday, 1 = Monday .. 7 = Sunday (as COSEM day-of-week). */
  weekday: number;
  /** UTC offset in ms at that instant (CET = +3 600 000, CEST = +7 200 000). */
  offsetMs: number;
}

/** The wall clock and UTC offset of an instant (UTC ms) in the zone; an unknown zone is an UnsupportedError. */
export function zoneWallTime(utcMs: number, timeZone: string): ZoneWallTime {
  const second = Math.floor(utcMs / 1000) * 1000;
  const wall = new Date(wallAsUtc(zoneFormat(timeZone), second));
  return {
    year: wall.getUTCFullYear(),
    month: wall.getUTCMonth() + 1,
    day: wall.getUTCDate(),
    hour: wall.getUTCHours(),
    minute: wall.getUTCMinutes(),
    second: wall.getUTCSeconds(),
    weekday: ((wall.getUTCDay() + 6) % 7) + 1,
    offsetMs: wall.getTime() - second,
  };
}
