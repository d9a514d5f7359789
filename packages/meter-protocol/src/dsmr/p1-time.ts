/**
 * P1 timestamps `YYMMDDhhmmssX` (X = S summer, W winter) to UTC.
 * The IANA zone decides the offset; the flag only picks between the two instants of the repeated
 * autumn hour (and the side of a spring gap). Unset and sentinel clocks give null.
 */
import { offsetFromFormat, zoneFormat } from '../zone-offset.ts';

const DAY_MS = 86_400_000;
/** Offsets are cached per zone per quarter hour of UTC: tz transitions fall on quarter hours. */
const BUCKET_MS = 900_000;
const MAX_CACHED_BUCKETS = 50_000;

interface ZoneCache {
  format: Intl.DateTimeFormat;
  offsets: Map<number, number>;
  /** Last wall-clock hour converted without a transition nearby, and its offset. */
  memoHour: number;
  memoOffset: number;
  /** P1 hours (hourKey) with no transition within a day of any of their minutes, and the UTC ms of their hh:00. */
  hourKeys: Int32Array;
  hourUtc: Float64Array;
}

/** Direct-mapped slots of ZoneCache.hourKeys: a meter's timestamps fall in a few consecutive hours. */
const HOUR_SLOTS = 256;
const HOUR_MS = 3_600_000;

const zones = new Map<string, ZoneCache>();

let lastZoneName = '';
let lastZone: ZoneCache | undefined;

function zoneCache(timeZone: string): ZoneCache {
  if (timeZone === lastZoneName && lastZone !== undefined) return lastZone;
  let zone = zones.get(timeZone);
  if (zone === undefined) {
    const format = zoneFormat(timeZone);
    zone = { format, offsets: new Map(), memoHour: NaN, memoOffset: 0, hourKeys: new Int32Array(HOUR_SLOTS).fill(-1), hourUtc: new Float64Array(HOUR_SLOTS) };
    zones.set(timeZone, zone);
  }
  lastZoneName = timeZone;
  lastZone = zone;
  return zone;
}

/** UTC offset in ms of the zone at the given UTC instant. */
function offsetAt(zone: ZoneCache, utcMs: number): number {
  const bucket = Math.floor(utcMs / BUCKET_MS);
  const cached = zone.offsets.get(bucket);
  if (cached !== undefined) return cached;
  const offset = offsetFromFormat(zone.format, bucket * BUCKET_MS);
  if (zone.offsets.size >= MAX_CACHED_BUCKETS) zone.offsets.clear();
  zone.offsets.set(bucket, offset);
  return offset;
}

/** Flag codes: 1 summer, -1 winter, 0 none. */
export type DstFlag = 1 | -1 | 0;

/** Local wall time (as if it were UTC) to a UTC instant in the zone. */
export function wallToUtc(wallMs: number, flag: DstFlag, timeZone: string): number {
  const zone = zoneCache(timeZone);
  const hour = Math.floor(wallMs / 3_600_000);
  if (hour === zone.memoHour) return wallMs - zone.memoOffset; // the telegram's times mostly share an hour
  const before = offsetAt(zone, wallMs - DAY_MS);
  const after = offsetAt(zone, wallMs + DAY_MS);
  // no transition within a day either side: the common case, two cache hits
  if (before === after) {
    zone.memoHour = hour;
    zone.memoOffset = before;
    return wallMs - before;
  }
  const beforeFits = offsetAt(zone, wallMs - before) === before;
  const afterFits = offsetAt(zone, wallMs - after) === after;
  const summer = before > after ? before : after;
  const winter = before > after ? after : before;
  if (beforeFits && !afterFits) return wallMs - before;
  if (afterFits && !beforeFits) return wallMs - after;
  if (beforeFits && afterFits) return wallMs - (flag === -1 ? winter : summer); // repeated autumn hour: flag decides, earlier instant without one
  return wallMs - (flag === 0 ? before : flag === 1 ? summer : winter); // spring gap: the wall time does not exist
}

/** Days since 1970-01-01 of a proleptic Gregorian date (integer arithmetic; cheaper than Date.UTC). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function twoDigits(bytes: Uint8Array, at: number): number {
  const a = bytes[at]! - 48;
  const b = bytes[at + 1]! - 48;
  if (a < 0 || a > 9 || b < 0 || b > 9) return -1;
  return a * 10 + b;
}

/**
 * Parses latin1 bytes[start, end) as `YYMMDDhhmmss` plus an optional S/W flag (either case).
 * Years are 20YY. YY = 00 (a meter counts from 2000-01-01 until its clock is set) and YY >= 70
 * (the 1970 epoch sentinel `700101010000W`) are unset clocks: null. Invalid dates are null.
 */
export function parseP1TimeAt(bytes: Uint8Array, start: number, end: number, timeZone: string): Date | null {
  const length = end - start;
  if (length !== 12 && length !== 13) return null;
  let flag: DstFlag = 0;
  if (length === 13) {
    const f = bytes[start + 12]! | 0x20; // lower-case
    if (f === 0x73) flag = 1;
    else if (f === 0x77) flag = -1;
    else return null;
  }
  const yy = twoDigits(bytes, start);
  const month = twoDigits(bytes, start + 2);
  const day = twoDigits(bytes, start + 4);
  const hour = twoDigits(bytes, start + 6);
  const minute = twoDigits(bytes, start + 8);
  const second = twoDigits(bytes, start + 10);
  if (yy < 1 || yy >= 70 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23) return null;
  if (minute < 0 || minute > 59 || second < 0 || second > 59) return null;
  const year = 2000 + yy;
  const monthDays = month === 2 && year % 4 !== 0 ? 28 : DAYS_IN_MONTH[month - 1]!;
  if (day > monthDays) return null;
  const inHour = minute * 60_000 + second * 1000;
  // a known hour costs a lookup: no day count, no offset look-ups
  const zone = zoneCache(timeZone);
  const hourKey = ((yy * 13 + month) * 32 + day) * 24 + hour;
  const slot = hourKey & (HOUR_SLOTS - 1);
  if (zone.hourKeys[slot] === hourKey) return new Date(zone.hourUtc[slot]! + inHour);
  const wallHour = daysFromCivil(year, month, day) * DAY_MS + hour * HOUR_MS;
  const offset = offsetAt(zone, wallHour - DAY_MS);
  // the flag and the exact minute only matter near a transition: elsewhere the hour is remembered
  if (offsetAt(zone, wallHour + HOUR_MS - 1 + DAY_MS) === offset) {
    zone.hourKeys[slot] = hourKey;
    zone.hourUtc[slot] = wallHour - offset;
  }
  return new Date(wallToUtc(wallHour + inHour, flag, timeZone));
}

/** `YYMMDDhhmmssX` in the IANA zone to a UTC Date; null for unset, sentinel or invalid clocks. */
export function parseP1Time(text: string, timeZone: string): Date | null {
  if (text.length !== 12 && text.length !== 13) return null;
  const bytes = new Uint8Array(text.length);
  // a char above 0xFF becomes 0xFF, which is no digit or flag either
  for (let i = 0; i < text.length; i++) bytes[i] = Math.min(text.charCodeAt(i), 0xff);
  return parseP1TimeAt(bytes, 0, text.length, timeZone);
}

