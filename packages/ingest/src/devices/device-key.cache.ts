import type { AuthDevice } from './devices.repository.ts';

/**
 * Key hash -> device, for a short TTL, so a request does not cost a database round trip. Only found keys
 * are kept (an unknown key asks the database every time, so a new key works at once). `dropDevice` forgets
 * a device's entries at once; a lookup that started before the drop is not stored (generation check).
 * Another process's revoke reaches this one only when the entry expires (within `ttlMs`).
 */
export class DeviceKeyCache {
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #now: () => number;
  readonly #entries = new Map<string, { device: AuthDevice; expires: number }>();
  #generation = 0;

  constructor(ttlMs: number, maxEntries = 100_000, now: () => number = () => performance.now()) {
    this.#ttlMs = ttlMs;
    this.#maxEntries = maxEntries;
    this.#now = now;
  }

  get generation(): number {
    return this.#generation;
  }

  get(keyHash: string): AuthDevice | undefined {
    const e = this.#entries.get(keyHash);
    if (!e) return undefined;
    if (e.expires <= this.#now()) {
      this.#entries.delete(keyHash);
      return undefined;
    }
    return e.device;
  }

  /** Stores a lookup's result unless a device changed since `generation` was read. */
  set(keyHash: string, device: AuthDevice, generation: number): void {
    if (this.#ttlMs <= 0 || generation !== this.#generation) return;
    // Map keeps insertion order: the first entry is the oldest.
    if (this.#entries.size >= this.#maxEntries) this.#entries.delete(this.#entries.keys().next().value!);
    // Expiry spread over the last half of the TTL: a fleet whose keys were all cached in one second would
    // otherwise ask the database for all of them again in one burst.
    this.#entries.set(keyHash, { device, expires: this.#now() + this.#ttlMs * (0.5 + Math.random() / 2) });
  }

  dropDevice(deviceId: number): void {
    this.#generation += 1;
    for (const [k, e] of this.#entries) if (e.device.id === deviceId) this.#entries.delete(k);
  }

  get size(): number {
    return this.#entries.size;
  }
}
