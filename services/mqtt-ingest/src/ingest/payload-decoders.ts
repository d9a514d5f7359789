import type { Reading } from '@sem/meter-protocol';
import { bytesToText, decodeP1Text, type DeviceSettings, type IngestEngine } from '@sem/ingest';
import type { UploadOutcome } from './upload-outcome.ts';

const HDLC_FLAG = 0x7e;

/** As POST /api/v1/telegrams: the bytes to text as HTTP does (UTF-8, else Latin-1), the device's zone. */
export function decodeTelegramPayload(payload: Buffer, device: Pick<DeviceSettings, 'timeZone'>): Reading[] {
  return decodeP1Text(bytesToText(payload), device.timeZone);
}

/** Raw HDLC bytes start with the 0x7E flag; anything else must be the same bytes as hex text. */
export function frameBytes(payload: Buffer): Uint8Array | UploadOutcome {
  if (payload.length > 0 && payload[0] === HDLC_FLAG) return payload;
  const text = payload.toString('latin1').replace(/\s+/g, '');
  if (!/^(?:[0-9a-fA-F]{2})+$/.test(text)) {
    return { status: 'rejected', code: 'bad_request', reason: 'payload is neither HDLC bytes (0x7E ...) nor hex digits in pairs' };
  }
  return Buffer.from(text, 'hex');
}

/** As POST /api/v1/frames: the engine's HAN decoding (device HAN keys, zone, country); protocol errors are thrown. */
export async function decodeFramePayload(engine: IngestEngine, payload: Buffer, device: Pick<DeviceSettings, 'id' | 'timeZone' | 'country'>): Promise<Reading[] | UploadOutcome> {
  const bytes = frameBytes(payload);
  if (!(bytes instanceof Uint8Array)) return bytes;
  return engine.decodeHan(device, bytes);
}
