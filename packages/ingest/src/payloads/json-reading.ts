import { emptyReading, withTariffTotals, type QuantityName, type Reading } from '@sem/meter-protocol';
import { QUANTITY_NAMES } from './json-reading.schema.ts';
import { parseClientTime } from '../time/meter-time.ts';

export interface JsonMbus {
  channel: number;
  value: number;
  unit?: string;
  deviceType?: number;
  equipmentId?: string;
  capturedAt?: string | number;
}

export type JsonReading = { time?: string | number; meterId?: string; mbus?: JsonMbus[] } & Partial<Record<QuantityName, number>>;

/** A validated JSON reading as the normalized Reading (values already in canonical units). */
export function fromJson(body: JsonReading): Reading {
  const reading = emptyReading('p1');
  reading.meterTime = body.time === undefined ? null : parseClientTime(body.time);
  reading.meterId = body.meterId ?? null;
  for (const name of QUANTITY_NAMES) {
    const v = body[name];
    if (typeof v === 'number') reading.values[name] = v;
  }
  // the same columns as a raw telegram with these tariff registers would fill
  reading.values = withTariffTotals(reading.values);
  reading.mbus = (body.mbus ?? []).map((m) => ({
    channel: m.channel,
    deviceType: m.deviceType ?? null,
    equipmentId: m.equipmentId ?? null,
    value: m.value,
    unit: m.unit ?? null,
    capturedAt: m.capturedAt === undefined ? null : parseClientTime(m.capturedAt),
  }));
  return reading;
}
