/**
 * The one time rule of every entry point (JSON, M-Bus capturedAt, AmsReader, P1, HAN): a time is
 * calendar-valid and falls inside the plausible window [floor, receive time + maxAhead].
 */

/** The plausible window of a meter time. */
export interface TimeWindow {
  /** Times before this are refused (a clock that was never set). */
  readonly floor: Date;
  /** A time further ahead of the receive time than this is refused. */
  readonly maxAheadMs: number;
}

/** A meter time further ahead of the receive time than this is refused by default (clock unset or wrong). */
export const MAX_FUTURE_MS = 24 * 60 * 60 * 1000;
export const DEFAULT_TIME_FLOOR = new Date('2000-01-01T00:00:00Z');
export const DEFAULT_TIME_WINDOW: TimeWindow = Object.freeze({ floor: DEFAULT_TIME_FLOOR, maxAheadMs: MAX_FUTURE_MS });

export type TimeProblemCode = 'invalid_time' | 'implausible_time' | 'future_time';
export interface TimeProblem {
  code: TimeProblemCode;
  message: string;
}

// Captures: year, month, day, hour, minute, second, fraction, zone (Z | sign hh mm).
const ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:Z|([+-])(\d{2}):?(\d{2}))$/;

function daysInMonth(year: number, month: number): number {
  return [31, year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
}

/**
 * ISO 8601 with an explicit offset, every field checked against the calendar (no 13th month, no 30 February,
 * no 25th hour, no 61st second; offsets up to ±18:00). Digits below the millisecond are cut (DATETIME(3)).
 * Returns an invalid Date (NaN) for anything else, never throws.
 */
export function parseIsoTime(text: string): Date {
  const m = ISO.exec(text);
  if (!m) return new Date(Number.NaN);
  const [year, month, day, hour, minute] = [m[1], m[2], m[3], m[4], m[5]].map(Number) as [number, number, number, number, number];
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const ms = m[7] === undefined ? 0 : Number(m[7].padEnd(3, '0').slice(0, 3));
  const offsetH = m[9] === undefined ? 0 : Number(m[9]);
  const offsetM = m[10] === undefined ? 0 : Number(m[10]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return new Date(Number.NaN);
  if (hour > 23 || minute > 59 || second > 59 || offsetH > 18 || offsetM > 59) return new Date(Number.NaN);
  const d = new Date(0);
  // setUTCFullYear, not Date.UTC: Date.UTC maps years 0-99 to 1900-1999.
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, ms);
  const offsetMs = (m[8] === '-' ? -1 : 1) * (offsetH * 60 + offsetM) * 60_000;
  return new Date(d.getTime() - offsetMs);
}

/** A client's time: ISO text (parseIsoTime) or epoch milliseconds. */
export function parseClientTime(t: string | number): Date {
  return typeof t === 'number' ? new Date(Number.isSafeInteger(t) ? t : Number.NaN) : parseIsoTime(t);
}

/** Why `t` cannot be a meter time received at `receivedAt`, or null when it can. `what` names it in the message. */
export function timeProblem(t: Date, receivedAt: Date, window: TimeWindow, what = 'meter time'): TimeProblem | null {
  const ms = t.getTime();
  if (Number.isNaN(ms)) return { code: 'invalid_time', message: `${what} is not a calendar-valid time` };
  if (ms < window.floor.getTime()) {
    return { code: 'implausible_time', message: `${what} ${t.toISOString()} is before ${window.floor.toISOString()} (clock not set?)` };
  }
  if (ms > receivedAt.getTime() + window.maxAheadMs) {
    return {
      code: 'future_time',
      message: `${what} ${t.toISOString()} is more than ${window.maxAheadMs === MAX_FUTURE_MS ? 'a day' : `${Math.round(window.maxAheadMs / 1000)} s`} after the receive time ${receivedAt.toISOString()}`,
    };
  }
  return null;
}

/** True when `t` is a plausible clock reading at `now` (used to drop a reader's own clock that was never synced). */
export function isPlausibleTime(t: Date, now: Date, window: TimeWindow = DEFAULT_TIME_WINDOW): boolean {
  return timeProblem(t, now, window) === null;
}
