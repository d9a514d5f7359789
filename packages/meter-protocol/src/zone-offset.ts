/** A zone's UTC offset from node's Intl (no tz database of our own), shared by the P1 and HAN clocks. */
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

/** UTC offset in ms (CET = +3 600 000) of the zone `format` shows, at a whole-second UTC instant. */
export function offsetFromFormat(format: Intl.DateTimeFormat, utcMs: number): number {
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
  return Date.UTC(y, mo - 1, d, h, mi, s) - utcMs;
}
