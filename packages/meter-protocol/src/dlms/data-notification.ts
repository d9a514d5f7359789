/** LLC header and the DLMS data-notification APDU (tag 0x0F) every HAN push carries. */
import { FrameError } from '../errors.ts';
import { ByteCursor, readData, type CosemValue } from './axdr-data.ts';

export const LLC_HEADER = [0xe6, 0xe7, 0x00] as const;
export const DATA_NOTIFICATION = 0x0f;

export interface DataNotification {
  /** long-invoke-id-and-priority (Aidon/Kaifa 0x40000000, Kamstrup 0). */
  invokeId: number;
  /** The 12 date-time bytes of the APDU header, or null when the meter sends an empty field. */
  dateTime: Uint8Array | null;
  /** The notification body: one COSEM Data value. */
  body: CosemValue;
}

/** Checks the LLC header and returns where the APDU starts. */
export function skipLlc(info: Uint8Array): number {
  if (info.length < 4 || info[0] !== LLC_HEADER[0] || info[1] !== LLC_HEADER[1] || info[2] !== LLC_HEADER[2]) {
    throw new FrameError('information field does not start with the LLC header E6 E7 00', { offset: 0 });
  }
  return LLC_HEADER.length;
}

/**
 * Parses a data-notification that fills bytes[start..end) exactly. The date-time field comes
 * in three encodings (peek the first byte): 00 empty, 09 0C + 12 bytes, 0C + 12 bytes.
 */
export function parseDataNotification(bytes: Uint8Array, start = 0, end = bytes.length): DataNotification {
  const c = new ByteCursor(bytes, start, end);
  const tag = c.u8('APDU tag');
  if (tag !== DATA_NOTIFICATION) {
    throw new FrameError(`expected a data-notification APDU (0F), found ${tag.toString(16).padStart(2, '0')}`, { offset: start });
  }
  const invokeId = c.read(4, 'long-invoke-id', (v, at) => v.getUint32(at));
  let dateTime: Uint8Array | null = null;
  const first = c.u8('date-time field');
  if (first === 0x09) {
    const len = c.u8('date-time length');
    if (len !== 0 && len !== 12) throw new FrameError(`date-time octet-string of ${len} bytes`, { offset: c.pos - 1 });
    if (len === 12) dateTime = c.take(12, 'date-time');
  } else if (first === 0x0c) {
    dateTime = c.take(12, 'date-time');
  } else if (first !== 0x00) {
    throw new FrameError(`bad date-time field in data-notification (first byte ${first.toString(16)})`, { offset: c.pos - 1 });
  }
  const body = readData(c);
  if (c.remaining !== 0) throw new FrameError(`${c.remaining} bytes after the notification body`, { offset: c.pos });
  return { invokeId, dateTime, body };
}
