/**
 * Messages that carry no reading (AmsReader system info, prices, ...) are acknowledged, so each one
 * must leave a trace: a counter by reason, and a warn line at most once an hour per device and reason
 * (an AmsReader sends its system info every minute: one line an hour says it without flooding the log).
 * Readings stored with an unset meter clock are warned about the same way (reason `meter_clock_unset`).
 */
export const IGNORED_WARN_INTERVAL_MS = 3_600_000;

export class IgnoredLog {
  readonly #lastWarn = new Map<string, { at: number; since: number }>();
  readonly #intervalMs: number;

  constructor(intervalMs = IGNORED_WARN_INTERVAL_MS) {
    this.#intervalMs = intervalMs;
  }

  /** Records one ignored message; returns how many were ignored since the last warn when one is due now, else null. */
  note(device: string, reason: string, now = Date.now()): number | null {
    const key = `${device}\u0000${reason}`;
    const last = this.#lastWarn.get(key);
    if (last && now - last.at < this.#intervalMs) {
      last.since++;
      return null;
    }
    this.#lastWarn.set(key, { at: now, since: 0 });
    return (last?.since ?? 0) + 1;
  }
}
