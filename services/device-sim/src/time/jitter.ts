/** An interval spread by ±fraction, so a fleet started together does not post in lockstep. */
export function jittered(intervalMs: number, fraction: number, random: () => number = Math.random): number {
  if (fraction <= 0) return intervalMs;
  return Math.max(0, Math.round(intervalMs * (1 + fraction * (2 * random() - 1))));
}
