const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Wall-clock parts of an instant in a zone. */
function wall(ms: number, timeZone: string): { y: number; m: number; d: number; offsetMs: number } {
  const parts = Object.fromEntries(formatter(timeZone).formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  const asUtc = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  return { y: Number(parts.year), m: Number(parts.month), d: Number(parts.day), offsetMs: asUtc - Math.floor(ms / 1000) * 1000 };
}

/** The UTC instant (ms) at which the local day containing `ms` starts in `timeZone`. */
export function localDayStart(ms: number, timeZone: string): number {
  const w = wall(ms, timeZone);
  const midnightWall = Date.UTC(w.y, w.m - 1, w.d);
  // The offset at midnight can differ from the offset at `ms` on DST days: settle it at the guess.
  let guess = midnightWall - w.offsetMs;
  guess = midnightWall - wall(guess, timeZone).offsetMs;
  return guess;
}
