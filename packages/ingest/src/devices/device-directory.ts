import type { Kysely } from 'kysely';
import type { Database } from '@sem/db';
import { DeviceKeyCache } from './device-key.cache.ts';
import { onDeviceChanged } from './device-changes.ts';
import { hashKey } from './device-keys.ts';
import { findDeviceByKeyHash, type AuthDevice } from './devices.repository.ts';

/**
 * Device look-up by key: found keys are kept for `ttlMs`; a change made in this process (deviceChanged)
 * drops them at once, a change by another process takes effect when the entry expires.
 */
export class DeviceDirectory {
  readonly #db: Kysely<Database>;
  readonly #cache: DeviceKeyCache;
  readonly #unsubscribe: () => void;

  constructor(db: Kysely<Database>, ttlMs: number) {
    this.#db = db;
    this.#cache = new DeviceKeyCache(ttlMs);
    this.#unsubscribe = onDeviceChanged((id) => this.#cache.dropDevice(id));
  }

  /** The device owning this key, if the key exists and is not revoked. */
  async byKey(key: string): Promise<AuthDevice | undefined> {
    const hash = hashKey(key);
    const text = hash.toString('base64');
    const cached = this.#cache.get(text);
    if (cached) return cached;
    const generation = this.#cache.generation;
    const device = await findDeviceByKeyHash(this.#db, hash);
    if (device) this.#cache.set(text, device, generation);
    return device;
  }

  close(): void {
    this.#unsubscribe();
  }
}
