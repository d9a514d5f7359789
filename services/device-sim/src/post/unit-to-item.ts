import { decodeFrame, decodeTelegram, QUANTITIES, type Reading } from '@sem/meter-protocol';
import type { MeterUnit } from '../sources/meter-unit.ts';
import type { OutboxItem, PostFormat } from './post-format.ts';
import { semFormFields } from './sem-form.ts';
import { mapFrame } from '../replay/han-frame-edit.ts';

/**
 * Turns what the meter sent into what the device will post. Formats that forward raw bytes do not
 * decode; `json` and `sem` decode locally like a smart reader, and skip what does not decode
 * (a damaged telegram is what a real reader would drop too).
 */
export interface DecodeSettings {
  /** IANA zone of the meter's clock. */
  zone: string;
  /** Kamstrup energy scaler (1 = 10 Wh Norway, 0 = Wh Sweden). */
  kamstrupEnergyScaler?: number;
  /** HAN AES-GCM keys (Danish Kamstrup, Austrian meters), for json and sem decoding. */
  hanEncryptionKey?: Uint8Array;
  hanAuthenticationKey?: Uint8Array;
}

export function decodeUnit(unit: MeterUnit, settings: DecodeSettings): Reading {
  return unit.protocol === 'p1'
    ? decodeTelegram(unit.telegram, { timeZone: settings.zone })
    : decodeFrame(unit.frame, {
        timeZone: settings.zone,
        ...(settings.kamstrupEnergyScaler === undefined ? {} : { kamstrupEnergyScaler: settings.kamstrupEnergyScaler }),
        ...(settings.hanEncryptionKey ? { encryptionKey: settings.hanEncryptionKey } : {}),
        ...(settings.hanAuthenticationKey ? { authenticationKey: settings.hanAuthenticationKey } : {}),
      });
}

/**
 * The canonical JSON reading: `time` (ISO, UTC; the device's time when the meter sends none),
 * `meterId`, the QUANTITIES values the meter sent, and M-Bus channels that carry a value.
 */
export function canonicalReading(reading: Reading, atMs: number): Record<string, unknown> {
  const out: Record<string, unknown> = { time: (reading.meterTime ?? new Date(atMs)).toISOString() };
  if (reading.meterId) out.meterId = reading.meterId.slice(0, 96);
  for (const name of QUANTITIES) {
    const v = reading.values[name];
    if (v !== undefined) out[name] = v;
  }
  const mbus = reading.mbus.flatMap((m) =>
    m.value === null
      ? []
      : [
          {
            channel: m.channel,
            value: m.value,
            ...(m.unit ? { unit: m.unit } : {}),
            ...(m.deviceType !== null ? { deviceType: m.deviceType } : {}),
            ...(m.equipmentId ? { equipmentId: m.equipmentId.slice(0, 96) } : {}),
            ...(m.capturedAt ? { capturedAt: m.capturedAt.toISOString() } : {}),
          },
        ],
  );
  if (mbus.length > 0) out.mbus = mbus;
  return out;
}

/** The splitter ends a telegram at its CRC; the meter sends a line end after it, and so do readers. */
export function withLineEnd(telegram: string): string {
  if (/[\r\n]$/.test(telegram)) return telegram;
  return telegram + (telegram.includes('\r\n') ? '\r\n' : '\n');
}

/** A meter clock line with a real date (not a sentinel such as 000101…). */
function hasP1Clock(telegram: string): boolean {
  const m = /^0-0:1\.0\.0\((\d{12})[SW]\)/m.exec(telegram);
  return m !== null && !/^(00|70|63)/.test(m[1]!);
}

export type ItemResult = { item: OutboxItem } | { error: string };

export function unitToItem(format: PostFormat, unit: MeterUnit, atMs: number, settings: DecodeSettings): ItemResult {
  try {
    switch (format) {
      case 'telegram':
      case 'dsmr-reader':
        if (unit.protocol !== 'p1') return { error: 'not_p1' };
        return { item: { body: withLineEnd(unit.telegram), at: atMs, ...(hasP1Clock(unit.telegram) ? {} : { solo: true }) } };
      case 'frame': {
        if (unit.protocol !== 'han') return { error: 'not_han' };
        const map = mapFrame(unit.frame);
        // Encrypted frames cannot be looked into; they normally carry a clock in the header.
        const solo = map !== undefined && map.clocks.length === 0;
        return { item: { body: Buffer.from(unit.frame).toString('hex'), at: atMs, ...(solo ? { solo } : {}) } };
      }
      case 'sem':
        return { item: { body: semFormFields(decodeUnit(unit, settings)), at: atMs } };
      case 'json':
        return { item: { body: canonicalReading(decodeUnit(unit, settings), atMs), at: atMs } };
    }
  } catch (error) {
    return { error: (error as Error).name || 'decode_error' };
  }
}
