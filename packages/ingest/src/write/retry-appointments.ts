const MIN_S = 1;
const MAX_S = 60;

/**
 * Retry-After as an appointment. Each refused request is told to come back after the wait ahead of it and after the
 * requests refused before it, and books the time the write path needs to commit it. A fleet refused within one
 * second is so told to return at the rate the database commits, instead of all in the next second (refused again)
 * or all after a long back-off (the database idle meanwhile). Whole seconds, 1 to 60; the bookings never reach
 * further than a minute ahead, so clients that do not come back cannot push the others out for ever.
 */
export class RetryAppointments {
  #bookedUntil = 0;

  /** Seconds to answer in Retry-After: not before `waitMs` from now, nor before the earlier bookings; books `requestMs`. */
  book(waitMs: number, requestMs: number, now: number = performance.now()): number {
    const at = Math.max(now + waitMs, this.#bookedUntil);
    this.#bookedUntil = Math.min(at + requestMs, now + MAX_S * 1000);
    return Math.min(MAX_S, Math.max(MIN_S, Math.ceil((at - now) / 1000)));
  }
}
