/** HAN decoding: HDLC frame(s) → LLC → (decryption) → data-notification → vendor list → Reading. */
import { DecryptionError, FrameError, ProtocolError, UnsupportedError } from '../errors.ts';
import { emptyReading, type Reading } from '../reading.ts';
import { applyMeterClock, type ClockPolicy } from './cosem-datetime.ts';
import { parseDataNotification, skipLlc, DATA_NOTIFICATION, type DataNotification } from './data-notification.ts';
import { decryptApdu, GENERAL_DED_CIPHERING, GENERAL_GLO_CIPHERING, parseCiphered } from './gcm-envelope.ts';
import { HdlcFrameReader, type HdlcFrame } from './hdlc-frame-reader.ts';
import { applyListItems } from './han-list-item.ts';
import { decodeList } from './han-list-layouts.ts';

export interface HanDecodeOptions {
  /** AES key (16 bytes) for general-glo/ded-ciphering frames (Danish Kamstrup, Austrian meters). */
  encryptionKey?: Uint8Array;
  /** Authentication key (16 bytes): when given, the 12-byte GCM tag of SC 0x30 frames is verified. */
  authenticationKey?: Uint8Array;
  /** IANA zone for meters that send local wall time without a usable deviation. Default 'Europe/Oslo'. */
  timeZone?: string;
  /** Kamstrup energy register scaler (no scalers on the wire): 1 = 10 Wh (Norway, default), 0 = Wh (Sweden). */
  kamstrupEnergyScaler?: number;
  /** Kamstrup current scaler: -2 = 10 mA (default), -3 = mA (some CT meters). */
  kamstrupCurrentScaler?: number;
  /** Overrides the vendor's clock interpretation (see docs/han-meter-clocks.md). */
  clockPolicy?: ClockPolicy;
}

export const DEFAULT_HAN_TIME_ZONE = 'Europe/Oslo';

const SYSTEM_TITLE_VENDORS: Record<string, string> = {
  KAM: 'Kamstrup',
  KFM: 'Kaifa',
  LGZ: 'Landis+Gyr',
  ISK: 'Iskraemeco',
  SMS: 'Siemens',
  AID: 'Aidon',
};

function scalerOption(v: number | undefined, fallback: number, name: string): number {
  if (v === undefined) return fallback;
  if (!Number.isInteger(v) || v < -9 || v > 9) throw new UnsupportedError(`${name} must be an integer between -9 and 9`);
  return v;
}

/** Plaintext data-notification of an information field, decrypting when needed. */
function notificationOf(info: Uint8Array, options: HanDecodeOptions): { apdu: DataNotification; titleVendor: string | null } {
  const start = skipLlc(info);
  const tag = info[start]!;
  if (tag === DATA_NOTIFICATION) return { apdu: parseDataNotification(info, start), titleVendor: null };
  if (tag !== GENERAL_GLO_CIPHERING && tag !== GENERAL_DED_CIPHERING) {
    throw new UnsupportedError(`APDU tag 0x${tag.toString(16).padStart(2, '0')} is not a data-notification or ciphered APDU`, { offset: start });
  }
  const env = parseCiphered(info, start);
  const plain = decryptApdu(env, options);
  const flag = String.fromCharCode(...env.systemTitle.subarray(0, 3));
  const titleVendor = SYSTEM_TITLE_VENDORS[flag] ?? null;
  try {
    return { apdu: parseDataNotification(plain), titleVendor };
  } catch (error) {
    // without a GCM tag a wrong key only shows as plaintext that is no APDU
    if (error instanceof ProtocolError) {
      throw new DecryptionError(`decrypted APDU does not parse (${error.message}): wrong encryption key?`, { cause: error });
    }
    throw error;
  }
}

/** Decodes the information field (LLC + APDU) of one complete or reassembled frame. */
export function decodeInfo(info: Uint8Array, options: HanDecodeOptions = {}): Reading {
  const timeZone = options.timeZone ?? DEFAULT_HAN_TIME_ZONE;
  const { apdu, titleVendor } = notificationOf(info, options);
  const list = decodeList(apdu.body, {
    titleVendor,
    kamstrup: {
      energy: scalerOption(options.kamstrupEnergyScaler, 1, 'kamstrupEnergyScaler'),
      current: scalerOption(options.kamstrupCurrentScaler, -2, 'kamstrupCurrentScaler'),
    },
  });
  const reading = emptyReading('han');
  reading.vendor = list.vendor;
  reading.list = list.listNumber;
  const clock = { policy: options.clockPolicy ?? list.policy, timeZone };
  applyListItems(reading, list.items, clock);
  if (reading.meterTime === null && apdu.dateTime) applyMeterClock(reading, apdu.dateTime, clock.policy, timeZone);
  return reading;
}

/** All frames of a body, strictly: any resynchronisation error is thrown. */
function readAll(bytes: Uint8Array): HdlcFrame[] {
  if (bytes.length === 0) throw new FrameError('empty body: no HDLC frame');
  const reader = new HdlcFrameReader();
  const first = reader.push(bytes);
  const last = reader.end();
  const error = first.errors[0] ?? last.errors[0];
  if (error) throw error;
  if (first.frames.length === 0) throw new FrameError('no HDLC frame found');
  return first.frames;
}

/** Decodes one whole HDLC frame, flags included (or the segments of one segmented push back to back). */
export function decodeFrame(frame: Uint8Array, options: HanDecodeOptions = {}): Reading {
  const frames = readAll(frame);
  if (frames.length !== 1) throw new FrameError(`expected one HDLC frame, found ${frames.length}`);
  return decodeInfo(frames[0]!.info, options);
}

/** Decodes a posted body of one or more frames back to back; any bad byte, checksum or frame throws. */
export function decodeFrames(bytes: Uint8Array, options: HanDecodeOptions = {}): Reading[] {
  return readAll(bytes).map((f) => decodeInfo(f.info, options));
}

