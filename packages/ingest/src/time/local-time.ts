/** Local calendar arithmetic in a device's IANA zone, on the protocol package's zone clock (no tz tables in MariaDB needed). */
import { zoneWallTime } from '@sem/meter-protocol';

const QUARTER_MS = 15 * 60_000;
const DAY_MS = 86_400_000;

const pad2 = (n: number) => String(n).padStart(2, '0');

export interface LocalDateHour {
  /** YYYY-MM-DD in the zone. */
  date: string;
  /** 0..23 in the zone. */
  hour: number;
}

const HOUR_MS = 3_600_000;
// Zone offsets by UTC hour; cleared when large (a year of hours for a few dozen zones fits).
const hourOffsets = new Map<string, number | null>();

/** The zone's UTC offset throughout the UTC hour holding `ms`, or null when it changes inside that hour. */
function hourOffset(ms: number, zone: string): number | null {
  const start = Math.floor(ms / HOUR_MS) * HOUR_MS;
  const key = `${zone}|${start}`;
  const hit = hourOffsets.get(key);
  if (hit !== undefined) return hit;
  const first = zoneWallTime(start, zone).offsetMs;
  const offset = first === zoneWallTime(start + HOUR_MS - 1000, zone).offsetMs ? first : null;
  if (hourOffsets.size > 500_000) hourOffsets.clear();
  hourOffsets.set(key, offset);
  return offset;
}

/** The local date and hour of an instant. */
export function localDateHour(ms: number, zone: string): LocalDateHour {
  const offset = hourOffset(ms, zone);
  if (offset === null) {
    const w = zoneWallTime(ms, zone);
    return { date: `${w.year}-${pad2(w.month)}-${pad2(w.day)}`, hour: w.hour };
  }
  // Intl formatting is the slow part of the write path's rollups: whole seconds shifted by the hour's offset.
  const wall = new Date(Math.floor(ms / 1000) * 1000 + offset);
  return { date: `${wall.getUTCFullYear()}-${pad2(wall.getUTCMonth() + 1)}-${pad2(wall.getUTCDate())}`, hour: wall.getUTCHours() };
}

export function localDate(ms: number, zone: string): string {
  return localDateHour(ms, zone).date;
}

const startCache = new Map<string, number>();

/** The first instant (UTC ms) of a local date: local midnight, or later where a DST jump skips it. */
export function localDayStart(date: string, zone: string): number {
  const key = `${zone}|${date}`;
  const hit = startCache.get(key);
  if (hit !== undefined) return hit;
  const wall = Date.parse(`${date}T00:00:00Z`);
  // Local dates never decrease with time, and every zone offset is a multiple of 15 minutes: binary search.
  let lo = (wall - 15 * 3_600_000) / QUARTER_MS;
  let hi = (wall + 15 * 3_600_000) / QUARTER_MS;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (localDate(mid * QUARTER_MS, zone) >= date) hi = mid;
    else lo = mid + 1;
  }
  const start = lo * QUARTER_MS;
  startCache.set(key, start);
  return start;
}

/** The first instant (UTC ms) of the local day holding the instant `ms`. */
export function localDayStartAt(ms: number, zone: string): number {
  return localDayStart(localDate(ms, zone), zone);
}

/** YYYY-MM-DD of the Monday of the ISO week holding the date. */
export function isoWeekMonday(date: string): string {
  const t = Date.parse(`${date}T00:00:00Z`);
  const dow = new Date(t).getUTCDay();
  return new Date(t - ((dow + 6) % 7) * DAY_MS).toISOString().slice(0, 10);
}

/** YYYY-MM-01 of the date's month. */
export function monthFirst(date: string): string {
  return `${date.slice(0, 7)}-01`;
}

/** The calendar date after the given one. */
export function nextDate(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);
}

const boundsCache = new Map<string, readonly [number, number, number, number]>();

/** Start of the local day, of the next day, of its ISO week and of its month (UTC ms); cached per zone and date. */
export function localDayBounds(date: string, zone: string): readonly [number, number, number, number] {
  const key = `${zone}|${date}`;
  let b = boundsCache.get(key);
  if (!b) {
    b = [localDayStart(date, zone), localDayStart(nextDate(date), zone), localDayStart(isoWeekMonday(date), zone), localDayStart(monthFirst(date), zone)];
    if (boundsCache.size > 100_000) boundsCache.clear();
    boundsCache.set(key, b);
  }
  return b;
}
