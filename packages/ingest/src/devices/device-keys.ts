import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

export type KeyFormat = 'token' | 'legacy';

/** The SEM ESP32 firmware sends api_key in a 19-character field (clients.md). */
export const LEGACY_KEY_LENGTH = 19;
const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * A new random key. token: `sem_` + 256 random bits in base64url (47 chars).
 * legacy: 19 base62 characters (~113 bits), URL-safe so the firmware can print it unescaped.
 */
export function generateKey(format: KeyFormat): string {
  if (format === 'token') return `sem_${randomBytes(32).toString('base64url')}`;
  let key = '';
  for (let i = 0; i < LEGACY_KEY_LENGTH; i++) key += BASE62[randomInt(BASE62.length)];
  return key;
}

/** Keys are stored only as this hash. */
export function hashKey(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

/** A few leading characters to tell keys apart in listings; reveals ~24 bits at most. */
export function keyHint(key: string): string {
  return key.startsWith('sem_') ? key.slice(4, 8) : key.slice(0, 4);
}

/** Constant-time comparison of two secrets of any length. */
export function secretsEqual(a: string, b: string): boolean {
  return timingSafeEqual(hashKey(a), hashKey(b));
}
