/**
 * Failed authentications per client address in a fixed window: past the limit, the address is answered
 * 429 with Retry-After before its key is looked up, so guessing keys costs no database query.
 * In memory per process (each replica counts its own); at most `maxClients` addresses are tracked.
 */
export class AuthFailureThrottle {
  readonly #max: number;
  readonly #windowMs: number;
  readonly #maxClients: number;
  readonly #clients = new Map<string, { start: number; failures: number }>();

  constructor(maxFailures: number, windowMs = 60_000, maxClients = 100_000) {
    this.#max = maxFailures;
    this.#windowMs = windowMs;
    this.#maxClients = maxClients;
  }

  /** Seconds the address must wait, or undefined when it may try. */
  retryAfterS(address: string, now = Date.now()): number | undefined {
    const c = this.#clients.get(address);
    if (!c || now >= c.start + this.#windowMs || c.failures < this.#max) return undefined;
    return Math.max(1, Math.ceil((c.start + this.#windowMs - now) / 1000));
  }

  fail(address: string, now = Date.now()): void {
    const c = this.#clients.get(address);
    if (c && now < c.start + this.#windowMs) {
      c.failures++;
      return;
    }
    if (c) this.#clients.delete(address);
    if (this.#clients.size >= this.#maxClients) this.#evict(now);
    this.#clients.set(address, { start: now, failures: 1 });
  }

  #evict(now: number): void {
    for (const [address, c] of this.#clients) if (now >= c.start + this.#windowMs) this.#clients.delete(address);
    // Still full: the oldest windows go first (insertion order).
    for (const address of this.#clients.keys()) {
      if (this.#clients.size < this.#maxClients) break;
      this.#clients.delete(address);
    }
  }
}
