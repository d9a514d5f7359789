import type { Kysely } from 'kysely';
import type { Database } from '@sem/db';
import { decodeFrames, type Reading } from '@sem/meter-protocol';
import { IngestError } from '../errors/ingest-error.ts';
import type { DeviceSettings } from '../devices/devices.repository.ts';
import { findMeterSettings, hanOptions } from '../devices/meter-settings.ts';

/**
 * Raw HAN bytes (HDLC frames back to back) to readings for one device: its HAN keys, time zone,
 * Kamstrup scalers and clock rule (device settings over country defaults). Protocol errors are thrown
 * as meter-protocol's ProtocolError; bytes without a complete frame as invalid-payload.
 */
export async function decodeHanBytes(db: Kysely<Database>, device: Pick<DeviceSettings, 'id' | 'timeZone' | 'country'>, bytes: Uint8Array): Promise<Reading[]> {
  const readings = decodeFrames(bytes, hanOptions(device, await findMeterSettings(db, device.id)));
  if (readings.length === 0) throw new IngestError('invalid-payload', 'no complete HDLC frame found');
  return readings;
}
