import { createHash, pbkdf2Sync } from 'node:crypto';

/** One account in the Mosquitto password file. */
export interface BrokerAccount {
  username: string;
  password: string;
}

// Mosquitto 2.0 `$7$` format: PBKDF2-HMAC-SHA512, 12-byte salt, 64-byte hash, both base64.
const HASH_ITERATIONS = 101;
const SALT_BYTES = 12;

/**
 * The salt is derived from the account, so the same accounts give a byte-identical file and the
 * broker is reloaded only when something changed. Passwords are random 192-bit values, so a
 * predictable salt costs nothing.
 */
function accountSalt(account: BrokerAccount): Buffer {
  return createHash('sha256').update(`${account.username}\n${account.password}`).digest().subarray(0, SALT_BYTES);
}

/** A password-file line in the format `mosquitto_passwd` writes. */
export function passwordFileLine(account: BrokerAccount, salt: Buffer = accountSalt(account)): string {
  if (account.username.includes(':') || /\s/.test(account.username)) {
    throw new Error(`username "${account.username}" cannot go into a Mosquitto password file`);
  }
  const hash = pbkdf2Sync(account.password, salt, HASH_ITERATIONS, 64, 'sha512');
  return `${account.username}:$7$${HASH_ITERATIONS}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/** The whole file, sorted by username so a diff shows which accounts changed. */
export function renderPasswordFile(accounts: readonly BrokerAccount[]): string {
  const sorted = [...accounts].sort((a, b) => (a.username < b.username ? -1 : a.username > b.username ? 1 : 0));
  return sorted.map((account) => passwordFileLine(account)).join('\n') + (sorted.length > 0 ? '\n' : '');
}
