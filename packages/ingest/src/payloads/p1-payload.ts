import type { Kysely } from 'kysely';
import type { Database } from '@sem/db';
import { decodeEncryptedTelegrams, decodeTelegrams, UnsupportedError, type Reading } from '@sem/meter-protocol';
import { IngestError } from '../errors/ingest-error.ts';
import type { DeviceSettings } from '../devices/devices.repository.ts';
import { findMeterSettings } from '../devices/meter-settings.ts';

/**
 * P1 text (one or more telegrams) to readings in the device's zone. Protocol errors (CRC, malformed
 * lines) are thrown as meter-protocol's ProtocolError; text without a complete telegram as invalid-payload.
 */
export function decodeP1Text(text: string, timeZone: string): Reading[] {
  const readings = decodeTelegrams(text, { timeZone });
  if (readings.length === 0) throw new IngestError('invalid-payload', 'no complete telegram (from / to !CRC) found');
  return readings;
}

/** The bytes of an encrypted P1 body (Smarty: starts with 0xDB), raw (one character per byte) or as hex text; else null. */
function encryptedP1Bytes(text: string): Uint8Array | null {
  if (text.charCodeAt(0) === 0xdb) return Buffer.from(text, 'latin1');
  const hex = text.replace(/\s+/g, '');
  return /^db08(?:[0-9a-f]{2})+$/i.test(hex) ? Buffer.from(hex, 'hex') : null;
}

/**
 * A P1 body for one device: plaintext telegrams, or encrypted P1 frames (Luxembourg Smarty) decrypted
 * with the device's P1 key. Errors as decodeP1Text; a frame for a device without a P1 key is UnsupportedError.
 */
export async function decodeP1Payload(db: Kysely<Database>, device: Pick<DeviceSettings, 'id' | 'timeZone'>, text: string): Promise<Reading[]> {
  const encrypted = encryptedP1Bytes(text);
  if (!encrypted) return decodeP1Text(text, device.timeZone);
  const { p1 } = await findMeterSettings(db, device.id);
  if (!p1) throw new UnsupportedError('encrypted P1 frame (0xDB): the device has no P1 key; set p1EncryptionKey');
  return decodeEncryptedTelegrams(encrypted, p1, { timeZone: device.timeZone });
}
