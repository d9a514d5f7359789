import type { Kysely } from 'kysely';
import type { Database } from '@sem/db';
import { decodeFrames, type Reading } from '@sem/meter-protocol';
import { IngestError } from '../errors/ingest-error.ts';
import { findHanKeys, type DeviceSettings } from '../devices/devices.repository.ts';

/**
 * Raw HAN bytes (HDLC frames back to back) to readings for one device: its HAN keys, time zone and
 * country. Protocol errors are thrown as meter-protocol's ProtocolError; bytes without a complete frame
 * as invalid-payload.
 */
export async function decodeHanBytes(db: Kysely<Database>, device: Pick<DeviceSettings, 'id' | 'timeZone' | 'country'>, bytes: Uint8Array): Promise<Reading[]> {
  const keys = await findHanKeys(db, device.id);
  const readings = decodeFrames(bytes, {
    encryptionKey: keys?.encryptionKey,
    authenticationKey: keys?.authenticationKey,
    timeZone: device.timeZone,
    // Swedish Kamstrup meters count energy in Wh where Norwegian ones use 10 Wh (no scaler on the wire).
    ...(device.country === 'SE' ? { kamstrupEnergyScaler: 0 } : {}),
  });
  if (readings.length === 0) throw new IngestError('invalid-payload', 'no complete HDLC frame found');
  return readings;
}
