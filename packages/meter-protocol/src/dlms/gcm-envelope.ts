/**
 * DLMS general-glo-ciphering (0xDB) / general-ded-ciphering (0xDF) with security suite 0
 * (AES-GCM, IV = system title ‖ frame counter), as encrypted HAN ports send it.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { DecryptionError, FrameError, UnsupportedError } from '../errors.ts';
import { ByteCursor } from './axdr-data.ts';
import { concatBytes, toHex } from './hex.ts';

export const GENERAL_GLO_CIPHERING = 0xdb;
export const GENERAL_DED_CIPHERING = 0xdf;
const TAG_LENGTH = 12;
const SC_AUTHENTICATED = 0x10;
const SC_ENCRYPTED = 0x20;
const SC_COMPRESSED = 0x80;

export interface CipheredApdu {
  tag: number;
  systemTitle: Uint8Array;
  securityControl: number;
  frameCounter: number;
  ciphertext: Uint8Array;
  /** 12-byte GCM tag when the security control has the authentication bit (0x10). */
  authTag: Uint8Array | null;
}

export interface GcmKeys {
  encryptionKey?: Uint8Array | undefined;
  authenticationKey?: Uint8Array | undefined;
}

/** Parses the envelope that fills bytes[start..) exactly. */
export function parseCiphered(bytes: Uint8Array, start: number): CipheredApdu {
  const c = new ByteCursor(bytes, start);
  const tag = c.u8('ciphering tag');
  const titleLength = c.length('system title');
  if (titleLength !== 8) throw new FrameError(`system title of ${titleLength} bytes (expected 8)`, { offset: c.pos - 1 });
  const systemTitle = c.take(8, 'system title');
  const length = c.length('ciphered content');
  if (length !== c.remaining) {
    throw new FrameError(`ciphered content declares ${length} bytes, ${c.remaining} present`, { offset: c.pos });
  }
  const securityControl = c.u8('security control');
  const frameCounter = c.read(4, 'frame counter', (v, at) => v.getUint32(at));
  const tagLength = securityControl & SC_AUTHENTICATED ? TAG_LENGTH : 0;
  if (c.remaining < tagLength) throw new FrameError('ciphered content shorter than its authentication tag', { offset: c.pos });
  const ciphertext = c.take(c.remaining - tagLength, 'ciphertext');
  const authTag = tagLength ? c.take(tagLength, 'authentication tag') : null;
  return { tag, systemTitle, securityControl, frameCounter, ciphertext, authTag };
}

/** System title as hex plus its 3-letter manufacturer flag (KAM, KFM, LGZ, ISK, SMS). */
export function describeSystemTitle(title: Uint8Array): string {
  const flag = String.fromCharCode(...title.subarray(0, 3).filter((b) => b >= 0x20 && b < 0x7f));
  return `${toHex(title).toUpperCase()}${flag.length === 3 ? ` (${flag})` : ''}`;
}

function cipherName(key: Uint8Array, mode: 'gcm' | 'ctr'): string {
  if (key.length !== 16 && key.length !== 24 && key.length !== 32) {
    throw new UnsupportedError(`AES key must be 16, 24 or 32 bytes, got ${key.length}`);
  }
  return `aes-${key.length * 8}-${mode}`;
}

function iv(env: CipheredApdu): Uint8Array {
  const out = new Uint8Array(12);
  out.set(env.systemTitle, 0);
  new DataView(out.buffer).setUint32(8, env.frameCounter);
  return out;
}

/**
 * Returns the plaintext APDU. With SC 0x30 and an authentication key the GCM tag is verified
 * (AAD = SC ‖ AK); without a tag (SC 0x20), or without the AK, GCM is run as CTR from counter 2.
 */
export function decryptApdu(env: CipheredApdu, keys: GcmKeys): Uint8Array {
  const sc = env.securityControl;
  const title = describeSystemTitle(env.systemTitle);
  if (sc & SC_COMPRESSED) throw new UnsupportedError(`compressed ciphered APDU (security control ${sc.toString(16)}) from ${title}`);
  if ((sc & 0x0f) !== 0) throw new UnsupportedError(`security suite ${sc & 0x0f} is not supported (system title ${title})`);
  const encrypted = (sc & SC_ENCRYPTED) !== 0;
  const ak = keys.authenticationKey;
  if (!encrypted) {
    if (env.authTag && ak) verifyGmac(env, ak, keys.encryptionKey, title);
    return env.ciphertext;
  }
  const ek = keys.encryptionKey;
  if (!ek) {
    throw new UnsupportedError(`frame is encrypted (security control ${sc.toString(16).padStart(2, '0')}, system title ${title}): an encryptionKey is needed`);
  }
  if (env.authTag && ak) {
    const d = createDecipheriv(cipherName(ek, 'gcm') as 'aes-128-gcm', ek, iv(env), { authTagLength: TAG_LENGTH });
    d.setAAD(concatBytes([Uint8Array.of(sc), ak]));
    d.setAuthTag(env.authTag);
    const plain = d.update(env.ciphertext);
    try {
      return concatBytes([plain, d.final()]);
    } catch {
      throw new DecryptionError(`GCM authentication failed for system title ${title}: wrong encryption or authentication key, or damaged frame`);
    }
  }
  const counter = concatBytes([iv(env), Uint8Array.of(0, 0, 0, 2)]);
  const d = createDecipheriv(cipherName(ek, 'ctr'), ek, counter);
  return concatBytes([d.update(env.ciphertext), d.final()]);
}

/** Authentication-only (SC 0x10): the tag is a GMAC over SC ‖ AK ‖ APDU. */
function verifyGmac(env: CipheredApdu, ak: Uint8Array, ek: Uint8Array | undefined, title: string): void {
  if (!ek) throw new UnsupportedError(`authenticated frame from ${title}: an encryptionKey is needed to verify it`);
  const c = createCipheriv(cipherName(ek, 'gcm') as 'aes-128-gcm', ek, iv(env), { authTagLength: TAG_LENGTH });
  c.setAAD(concatBytes([Uint8Array.of(env.securityControl), ak, env.ciphertext]));
  c.final();
  const tag = c.getAuthTag();
  if (toHex(tag) !== toHex(env.authTag!)) throw new DecryptionError(`GMAC authentication failed for system title ${title}: wrong key`);
}
