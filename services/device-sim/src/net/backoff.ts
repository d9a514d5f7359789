/** Exponential backoff with full jitter, capped, as a device should retry a busy or absent server. */
export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 500, maxMs: 60_000 };

/** Delay before retry number `attempt` (1 = first retry): uniform in [0, min(max, base * 2^(attempt-1))]. */
export function backoffDelayMs(attempt: number, policy: BackoffPolicy = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  // Never zero: a tight loop against a down server helps nobody.
  return Math.max(Math.min(50, ceiling), Math.round(random() * ceiling));
}

/**
 * Wait before retry number `attempt` after a refusal or a failure. With Retry-After: what the server asked plus a
 * random part of a second (the header has whole seconds; the devices told the same second spread over it). The
 * server gives each refused device its own appointment, so the fleet returns at the rate it can commit; a back-off
 * of the device's own on top would leave the server idle while the backlog waits. Without it: the backoff.
 */
export function retryDelayMs(attempt: number, retryAfterMs: number | undefined, policy: BackoffPolicy = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  if (retryAfterMs === undefined) return backoffDelayMs(attempt, policy, random);
  return Math.round(retryAfterMs + 1000 * random());
}

/** Retry-After as delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfterMs(header: string | null | undefined, nowMs: number = Date.now()): number | undefined {
  if (header == null) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}
