/** What the write path can commit now: time per transaction as `fixedMs + perRowMs × rows`, fitted to recent commits. */
export interface CommitCost {
  fixedMs: number;
  perRowMs: number;
}

/** Recent transactions the fit looks at: a few seconds of traffic, so it follows the load and the host. */
const WINDOW = 32;

/**
 * Least squares over the last WINDOW committed transactions (rows, wall-clock ms). The wall clock includes the
 * event-loop lag and the database's contention, which is what a waiting request will see.
 */
export class CommitModel {
  readonly #rows: number[] = [];
  readonly #ms: number[] = [];
  #next = 0;
  #cost: CommitCost | undefined;
  /** How much slower than the fit the last commits were (1 = as fitted): the load of an overload slows commits at once. */
  #drift = 1;

  record(rows: number, ms: number): void {
    const predicted = this.#fitted(rows);
    if (predicted > 0) this.#drift = Math.min(10, Math.max(0.5, 0.5 * this.#drift + 0.5 * (ms / predicted)));
    if (this.#rows.length < WINDOW) {
      this.#rows.push(rows);
      this.#ms.push(ms);
    } else {
      this.#rows[this.#next] = rows;
      this.#ms[this.#next] = ms;
    }
    this.#next = (this.#next + 1) % WINDOW;
    this.#cost = undefined;
  }

  /** The fit alone, without the drift of the last commits: what the write path does once the burst is over. */
  get fitted(): CommitCost | undefined {
    return this.#fit();
  }

  /** The fit scaled by the recent drift (never below the fit); undefined until a transaction has committed. */
  get cost(): CommitCost | undefined {
    const c = this.#fit();
    const k = Math.max(1, this.#drift);
    return c && { fixedMs: c.fixedMs * k, perRowMs: c.perRowMs * k };
  }

  #fit(): CommitCost | undefined {
    if (this.#cost || this.#rows.length === 0) return this.#cost;
    const n = this.#rows.length;
    let sx = 0;
    let sy = 0;
    for (let i = 0; i < n; i++) {
      sx += this.#rows[i]!;
      sy += this.#ms[i]!;
    }
    const mx = sx / n;
    const my = sy / n;
    let sxx = 0;
    let sxy = 0;
    for (let i = 0; i < n; i++) {
      const dx = this.#rows[i]! - mx;
      sxx += dx * dx;
      sxy += dx * (this.#ms[i]! - my);
    }
    let perRowMs = sxx > 0 ? sxy / sxx : 0;
    let fixedMs = my - perRowMs * mx;
    // Batches all of one size, or noise that bends the line below zero: charge the mean per row instead.
    if (perRowMs <= 0 || fixedMs < 0) {
      perRowMs = my / Math.max(1, mx);
      fixedMs = 0;
    }
    this.#cost = { fixedMs, perRowMs };
    return this.#cost;
  }

  #fitted(rows: number): number {
    const c = this.#fit();
    return c ? c.fixedMs + c.perRowMs * rows : 0;
  }

  /** Expected ms of one transaction of `rows` rows (0 before any commit). */
  transactionMs(rows: number): number {
    return this.#fitted(rows) * Math.max(1, this.#drift);
  }
}
