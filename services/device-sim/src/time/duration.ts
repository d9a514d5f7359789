/** Durations on the command line: `500ms`, `10s`, `5m`, `1h`, `2d`, or a bare number of seconds. */
const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseDurationMs(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(text);
  if (!m) throw new RangeError(`not a duration: "${text}" (use e.g. 500ms, 10s, 5m, 1h)`);
  return Math.round(Number(m[1]) * UNITS[m[2] ?? 's']!);
}
