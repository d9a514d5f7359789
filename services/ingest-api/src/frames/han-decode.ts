import type { Kysely } from 'kysely';
import type { Database } from '@sem/db';
import { decodeFrames, ProtocolError, type Reading } from '@sem/meter-protocol';
import { ApiError } from '../errors/api-error.ts';
import { fromProtocolError } from '../errors/error-handler.ts';
import type { DeviceSettings } from '../devices/devices.repository.ts';
import { findMeterSettings, hanOptions } from '../devices/meter-settings.ts';

/**
 * Raw HAN bytes (HDLC frames back to back) to readings for one device: its HAN keys, time zone,
 * Kamstrup scalers and clock rule (device settings over country defaults). Shared by POST
 * /api/v1/frames and mqtt-ingest; protocol errors become ApiErrors.
 */
export async function decodeHan(db: Kysely<Database>, device: DeviceSettings, bytes: Uint8Array): Promise<Reading[]> {
  const settings = await findMeterSettings(db, device.id);
  let readings: Reading[];
  try {
    readings = decodeFrames(bytes, hanOptions(device, settings));
  } catch (err) {
    if (err instanceof ProtocolError) throw fromProtocolError(err);
    throw err;
  }
  if (readings.length === 0) throw new ApiError('invalid_frame', 'no complete HDLC frame found');
  return readings;
}
