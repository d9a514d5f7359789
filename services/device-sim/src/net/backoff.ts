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
 * Wait before retry number `attempt` after a refusal or a failure. With Retry-After: never sooner than the server
 * asked, plus up to half as much again at random (a fleet refused in one second must not return in one second), and
 * no sooner than the jittered backoff either, so a device refused again and again slows down. Without it: the backoff.
 */
export function retryDelayMs(attempt: number, retryAfterMs: number | undefined, policy: BackoffPolicy = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const backoff = backoffDelayMs(attempt, policy, random);
  if (retryAfterMs === undefined) return backoff;
  return Math.max(backoff, Math.round(retryAfterMs * (1 + 0.5 * random())));
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
