/**
 * Each device's meter clock across all phases: its readings stay one second apart and in order, as a live
 * meter's do. Phases that gave each device its own time window left gaps of days between them, and the
 * first reading after such a gap spreads it over every quarter and hour in between: a cost of the bench's
 * layout that live traffic does not have.
 */
export class DeviceClock {
  readonly #next = new Map<number, number>();
  readonly startMs: number;

  constructor(startMs: number) {
    this.startMs = startMs;
  }

  /** The second index of the device's next `n` readings (then advanced past them). */
  take(deviceId: number, n = 1): number {
    const s = this.#next.get(deviceId) ?? 0;
    this.#next.set(deviceId, s + n);
    return s;
  }

  /** The time of the device's next reading, without taking it. */
  nextMs(deviceId: number): number {
    return this.ms(this.#next.get(deviceId) ?? 0);
  }

  ms(s: number): number {
    return this.startMs + s * 1000;
  }

  /** A time after every reading handed out so far. */
  get endMs(): number {
    let max = 0;
    for (const s of this.#next.values()) max = Math.max(max, s);
    return this.ms(max);
  }
}
