/**
 * Wall time of a meter in its IANA zone, as P1 (YYMMDDhhmmssX) and COSEM date-time need it.
 * The tz database decides the offset; the S/W flag is derived from it, never the other way.
 */

export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** ISO weekday, 1 = Monday .. 7 = Sunday (COSEM day-of-week). */
  weekday: number;
  /** Minutes east of UTC at that instant (CET = 60, CEST = 120). */
  offsetMinutes: number;
  /** Daylight saving time is in effect (P1 flag S, COSEM clock-status bit 0x80). */
  dst: boolean;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      weekday: 'short',
    });
    formatters.set(zone, f);
  }
  return f;
}

const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

function offsetAt(zone: string, ms: number): number {
  const parts = partsOf(zone, ms);
  const asUtc = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
  return Math.round((asUtc - Math.floor(ms / 1000) * 1000) / 60_000);
}

function partsOf(zone: string, ms: number) {
  const out: Record<string, string> = {};
  for (const p of formatterFor(zone).formatToParts(new Date(ms))) out[p.type] = p.value;
  return {
    year: Number(out.year),
    month: Number(out.month),
    day: Number(out.day),
    hour: Number(out.hour),
    minute: Number(out.minute),
    second: Number(out.second),
    weekday: WEEKDAYS[out.weekday ?? ''] ?? 0,
  };
}

/** Throws a RangeError naming the zone when the runtime does not know it. */
export function assertZone(zone: string): void {
  formatterFor(zone);
}

export function wallTime(zone: string, at: Date): WallTime {
  const ms = at.getTime();
  const parts = partsOf(zone, ms);
  const offsetMinutes = offsetAt(zone, ms);
  const year = parts.year;
  // Standard time is the smaller of the January and July offsets (works on both hemispheres).
  const jan = offsetAt(zone, Date.UTC(year, 0, 1));
  const jul = offsetAt(zone, Date.UTC(year, 6, 1));
  return { ...parts, offsetMinutes, dst: offsetMinutes > Math.min(jan, jul) };
}

/** Wall time on the zone's standard (winter) offset all year, as Kamstrup HAN meters keep their clock. */
export function standardWallTime(zone: string, at: Date): WallTime {
  const year = Number(partsOf(zone, at.getTime()).year);
  const std = Math.min(offsetAt(zone, Date.UTC(year, 0, 1)), offsetAt(zone, Date.UTC(year, 6, 1)));
  const d = new Date(at.getTime() + std * 60_000);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    weekday: ((d.getUTCDay() + 6) % 7) + 1,
    offsetMinutes: std,
    dst: false,
  };
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** P1 timestamp YYMMDDhhmmssX with X = S in summer time, W otherwise. */
export function p1Timestamp(zone: string, at: Date): string {
  const w = wallTime(zone, at);
  return (
    pad2(w.year % 100) + pad2(w.month) + pad2(w.day) + pad2(w.hour) + pad2(w.minute) + pad2(w.second) + (w.dst ? 'S' : 'W')
  );
}
