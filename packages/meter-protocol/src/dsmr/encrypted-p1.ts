/**
 * Encrypted P1 (Luxembourg Smarty, Sagemcom T210-D): the whole telegram travels inside one DLMS
 * general-glo-ciphering envelope, `DB | 08 system title | 82 length(2) | 30 | frame counter(4) |
 * ciphertext | GCM tag(12)`, AES-128-GCM with IV = system title ‖ frame counter and AAD = SC ‖ AK.
 * The envelope is the same as encrypted HAN's, so the GCM code is shared.
 */
import { FrameError } from '../errors.ts';
import { ByteCursor } from '../dlms/axdr-data.ts';
import { decryptApdu, GENERAL_GLO_CIPHERING, parseCiphered } from '../dlms/gcm-envelope.ts';
import type { Reading } from '../reading.ts';
import { decodeTelegrams, type P1DecodeOptions } from './telegram-decoder.ts';

/** The authentication key every Smarty meter uses in its AAD (P1 specification v1.1.3, channel security). */
export const SMARTY_AUTHENTICATION_KEY = Uint8Array.from(Buffer.from('00112233445566778899aabbccddeeff', 'hex'));

export interface EncryptedP1Keys {
  /** The meter's own 16-byte key from the grid operator. */
  encryptionKey: Uint8Array;
  /** AAD key; default the Smarty one. Austrian Sagemcom meters have their own. */
  authenticationKey?: Uint8Array | undefined;
}

const latin1 = new TextDecoder('latin1');

/** True when the bytes start like an encrypted P1 frame (general-glo-ciphering tag 0xDB). */
export function isEncryptedP1(bytes: Uint8Array): boolean {
  return bytes.length > 0 && bytes[0] === GENERAL_GLO_CIPHERING;
}

/** Byte length of the envelope starting at `start`, read from its A-XDR length; throws on a short buffer. */
function envelopeLength(bytes: Uint8Array, start: number): number {
  const c = new ByteCursor(bytes, start);
  if (c.u8('ciphering tag') !== GENERAL_GLO_CIPHERING) throw new FrameError(`encrypted P1 frame must start with 0xDB (offset ${start})`, { offset: start });
  const titleLength = c.length('system title');
  c.take(titleLength, 'system title');
  const length = c.length('ciphered content');
  const end = c.pos + length;
  if (end > bytes.length) throw new FrameError(`encrypted P1 frame declares ${length} bytes, ${bytes.length - c.pos} present`, { offset: c.pos });
  return end - start;
}

/**
 * Decrypts one or more encrypted P1 frames back to back into their telegram texts (Latin-1, one
 * character per byte, as the CRC is computed). A wrong key or a damaged frame fails the GCM tag.
 */
export function decryptP1Frames(bytes: Uint8Array, keys: EncryptedP1Keys): string[] {
  const telegrams: string[] = [];
  for (let at = 0; at < bytes.length; ) {
    const length = envelopeLength(bytes, at);
    const frame = bytes.subarray(at, at + length);
    const env = parseCiphered(frame, 0);
    if (!env.authTag) throw new FrameError('encrypted P1 frame without a GCM tag (security control 0x30 expected)', { offset: at + 11 });
    const plain = decryptApdu(env, { encryptionKey: keys.encryptionKey, authenticationKey: keys.authenticationKey ?? SMARTY_AUTHENTICATION_KEY });
    telegrams.push(latin1.decode(plain));
    at += length;
  }
  if (telegrams.length === 0) throw new FrameError('empty body: no encrypted P1 frame');
  return telegrams;
}

/** Decrypts encrypted P1 frames and decodes the telegrams inside, as decodeTelegrams does for plaintext. */
export function decodeEncryptedTelegrams(bytes: Uint8Array, keys: EncryptedP1Keys, options: P1DecodeOptions = {}): Reading[] {
  return decryptP1Frames(bytes, keys).flatMap((text) => decodeTelegrams(text, options));
}
