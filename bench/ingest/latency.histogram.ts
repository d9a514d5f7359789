/** Latencies in log buckets of 1 % width from 10 µs to ~200 s: bounded memory at any request count. */
const GROWTH = 1.01;
const MIN_MS = 0.01;
const BUCKETS = Math.ceil(Math.log(200_000 / MIN_MS) / Math.log(GROWTH)) + 1;

export class LatencyHistogram {
  readonly #counts = new Float64Array(BUCKETS);
  count = 0;
  max = 0;
  #sum = 0;

  record(ms: number): void {
    const i = ms <= MIN_MS ? 0 : Math.min(BUCKETS - 1, Math.ceil(Math.log(ms / MIN_MS) / Math.log(GROWTH)));
    this.#counts[i]! += 1;
    this.count += 1;
    this.#sum += ms;
    if (ms > this.max) this.max = ms;
  }

  /** Upper edge of the bucket holding the q-quantile (q in 0..1), in ms; error at most 1 %. */
  quantile(q: number): number {
    if (this.count === 0) return Number.NaN;
    const rank = Math.ceil(q * this.count);
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.#counts[i]!;
      if (seen >= rank) return Math.min(this.max, MIN_MS * GROWTH ** i);
    }
    return this.max;
  }

  get mean(): number {
    return this.count === 0 ? Number.NaN : this.#sum / this.count;
  }

  merge(other: LatencyHistogram): void {
    for (let i = 0; i < BUCKETS; i++) this.#counts[i]! += other.#counts[i]!;
    this.count += other.count;
    this.#sum += other.#sum;
    this.max = Math.max(this.max, other.max);
  }
}
