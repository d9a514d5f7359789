/**
 * Wall time of a meter in its IANA zone, as P1 (YYMMDDhhmmssX) and COSEM date-time need it.
 * The tz database decides the offset; the S/W flag is derived from it, never the other way.
 */
import { standardOffsetMs, zoneWallTime, type ZoneWallTime } from '@sem/meter-protocol';

/** The zone's wall clock, with the offset in minutes as COSEM deviation needs it. */
export interface WallTime extends Omit<ZoneWallTime, 'offsetMs'> {
  /** Minutes east of UTC at that instant (CET = 60, CEST = 120). */
  offsetMinutes: number;
  /** Daylight saving time is in effect (P1 flag S, COSEM clock-status bit 0x80). */
  dst: boolean;
}

const minutes = (ms: number) => Math.round(ms / 60_000);

export function wallTime(zone: string, at: Date): WallTime {
  const { offsetMs, ...parts } = zoneWallTime(at.getTime(), zone);
  const offsetMinutes = minutes(offsetMs);
  return { ...parts, offsetMinutes, dst: offsetMinutes > minutes(standardOffsetMs(parts.year, zone)) };
}

/** Wall time on the zone's standard (winter) offset all year, as Kamstrup HAN meters keep their clock. */
export function standardWallTime(zone: string, at: Date): WallTime {
  const std = minutes(standardOffsetMs(zoneWallTime(at.getTime(), zone).year, zone));
  // The standard-time clock reads like UTC shifted by the standard offset.
  const { offsetMs: _utc, ...parts } = zoneWallTime(at.getTime() + std * 60_000, 'UTC');
  return { ...parts, offsetMinutes: std, dst: false };
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** P1 timestamp YYMMDDhhmmssX with X = S in summer time, W otherwise. */
export function p1Timestamp(zone: string, at: Date): string {
  const w = wallTime(zone, at);
  return (
    pad2(w.year % 100) + pad2(w.month) + pad2(w.day) + pad2(w.hour) + pad2(w.minute) + pad2(w.second) + (w.dst ? 'S' : 'W')
  );
}
