/** Wall-clock to UTC conversion in an IANA time zone, with node's Intl only (no tz database of our own). */
import { offsetFromFormat, zoneFormat } from '../zone-offset.ts';

const QUARTER_HOUR = 900_000;
const offsetCache = new Map<string, number>();

/** Offset of the zone from UTC at an instant, in milliseconds (CET = +3 600 000). */
export function zoneOffsetMs(instantMs: number, timeZone: string): number {
  // zones change offset only on quarter-hour boundaries, so one lookup serves the whole quarter
  const bucket = Math.floor(instantMs / QUARTER_HOUR);
  const cacheKey = `${timeZone}|${bucket}`;
  const cached = offsetCache.get(cacheKey);
  if (cached !== undefined) return cached;
  const offset = offsetFromFormat(zoneFormat(timeZone), bucket * QUARTER_HOUR);
  if (offsetCache.size > 50_000) offsetCache.clear();
  offsetCache.set(cacheKey, offset);
  return offset;
}

/** The zone's standard (winter) offset in a given year: the smaller of the January and July offsets. */
export function standardOffsetMs(year: number, timeZone: string): number {
  return Math.min(zoneOffsetMs(Date.UTC(year, 0, 1), timeZone), zoneOffsetMs(Date.UTC(year, 6, 1), timeZone));
}

/**
 * UTC instant of a wall-clock time (given as if it were UTC) in the zone. In the repeated hour
 * after DST ends, `dst` picks the summer (true) or winter (false) reading; unknown picks the first.
 * A time inside the skipped spring hour is read with the offset before the change.
 */
export function wallTimeToUtc(wallAsUtcMs: number, timeZone: string, dst: boolean | null): number {
  const day = 12 * 3600_000;
  const before = zoneOffsetMs(wallAsUtcMs - day, timeZone);
  const after = zoneOffsetMs(wallAsUtcMs + day, timeZone);
  const candidates: number[] = [];
  for (const o of before === after ? [before] : [before, after]) {
    const t = wallAsUtcMs - o;
    if (zoneOffsetMs(t, timeZone) === o) candidates.push(t);
  }
  if (candidates.length === 0) return wallAsUtcMs - before;
  if (candidates.length === 1) return candidates[0]!;
  candidates.sort((a, b) => a - b);
  return dst === false ? candidates[1]! : candidates[0]!;
}
