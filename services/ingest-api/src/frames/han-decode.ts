import type { Kysely } from 'kysely';
import type { Database } from '@sem/db';
import { decodeFrames, ProtocolError, type Reading } from '@sem/meter-protocol';
import { ApiError } from '../errors/api-error.ts';
import { fromProtocolError } from '../errors/error-handler.ts';
import { findHanKeys, type DeviceSettings } from '../devices/devices.repository.ts';

/**
 * Raw HAN bytes (HDLC frames back to back) to readings for one device: its HAN keys, time zone and
 * country. Shared by POST /api/v1/frames and mqtt-ingest; protocol errors become ApiErrors.
 */
export async function decodeHan(db: Kysely<Database>, device: DeviceSettings, bytes: Uint8Array): Promise<Reading[]> {
  const keys = await findHanKeys(db, device.id);
  let readings: Reading[];
  try {
    readings = decodeFrames(bytes, {
      encryptionKey: keys?.encryptionKey,
      authenticationKey: keys?.authenticationKey,
      timeZone: device.timeZone,
      // Swedish Kamstrup meters count energy in Wh where Norwegian ones use 10 Wh (no scaler on the wire).
      ...(device.country === 'SE' ? { kamstrupEnergyScaler: 0 } : {}),
    });
  } catch (err) {
    if (err instanceof ProtocolError) throw fromProtocolError(err);
    throw err;
  }
  if (readings.length === 0) throw new ApiError('invalid_frame', 'no complete HDLC frame found');
  return readings;
}
