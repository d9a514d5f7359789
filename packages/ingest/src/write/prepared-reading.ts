import type { QuantityName, Reading } from '@sem/meter-protocol';
import { QUANTITY_COLUMNS, toStored, toStoredRest, type QuantityColumn, type ReadingValueColumn } from '@sem/db';
import type { RequestMark } from './request-once.ts';
import { DEFAULT_TIME_WINDOW, timeProblem, type TimeProblemCode, type TimeWindow } from '../time/meter-time.ts';

/** Where a reading came from; stored as a tinyint in reading.source. Add new sources at the end. */
export const READING_SOURCES = { json: 1, p1: 2, han: 3, sem: 4, 'dsmr-reader': 5, mqtt: 6, simulator: 7 } as const;
export type ReadingSource = keyof typeof READING_SOURCES;

export interface PreparedMbus {
  channel: number;
  capturedAt: Date;
  deviceType: number | null;
  equipmentId: string | null;
  /** Decimal text with at most 4 decimals, for DECIMAL(15,4). */
  value: string;
  unit: string | null;
  valvePosition: number | null;
}

/** One reading converted to rows, ready for the write transaction. */
export interface PreparedReading {
  deviceId: number;
  meterTime: Date;
  receivedAt: Date;
  source: number;
  columns: Partial<Record<ReadingValueColumn, number>>;
  mbus: PreparedMbus[];
  powerFailures: { endedAt: Date; durationS: number }[];
  peaks: { peakAt: Date; demandW: number; periodEnd: Date | null }[];
  raw: { obis: string; value: string }[];
  meter: { meterId: string; protocol: 'json' | 'p1' | 'han'; header: string | null; version: string | null; vendor: string | null } | null;
  /** Who the meter says it is, with or without an equipment id (P1 header, version, HAN list id, vendor). */
  identity?: { meterId: string | null; protocol: 'json' | 'p1' | 'han'; header: string | null; version: string | null; vendor: string | null } | null;
  /** 0-0:98.1.0 by month boundary, months without a peak included (peakAt null, 0 W). */
  peakMonths?: { periodEnd: Date; peakAt: Date | null; demandW: number }[];
  /** True when the reading carried no time: `meterTime` is its receive time, moved to a free millisecond when written (clockless-keys.ts). */
  clockless?: boolean;
  /** The request it came with, when a retry of it can be recognised (request-once.ts). */
  request?: RequestMark | undefined;
}

export interface Rejection {
  code: TimeProblemCode | 'out_of_range';
  message: string;
}

const MBUS_MAX = 99_999_999_999;

function clip(text: string | null, max: number): string | null {
  return text === null ? null : text.slice(0, max);
}

/**
 * The key of a reading without meter time: its receive time plus its position among such readings in
 * the request, in milliseconds, so that several of them in one request stay distinct readings.
 */
export function timelessKey(receivedAt: Date, timelessIndex: number): Date {
  return new Date(receivedAt.getTime() + timelessIndex);
}

/** Converts a normalized reading to storage rows, or says why it cannot be stored. */
export function prepareReading(
  reading: Reading,
  ctx: { deviceId: number; receivedAt: Date; source: ReadingSource; timelessIndex?: number; timeWindow?: TimeWindow },
): { ok: PreparedReading } | { rejected: Rejection } {
  const window = ctx.timeWindow ?? DEFAULT_TIME_WINDOW;
  const meterTime = reading.meterTime ?? timelessKey(ctx.receivedAt, ctx.timelessIndex ?? 0);
  const badTime = timeProblem(meterTime, ctx.receivedAt, window);
  if (badTime) return { rejected: badTime };
  // Times of events a meter keeps (power failures, demand peaks) follow the same window; an implausible one is left out.
  const plausible = (t: Date | null): t is Date => t !== null && timeProblem(t, ctx.receivedAt, window) === null;
  const columns: Partial<Record<ReadingValueColumn, number>> = {};
  for (const [name, value] of Object.entries(reading.values) as [QuantityName, number | undefined][]) {
    if (value === undefined || value === null) continue;
    const spec = QUANTITY_COLUMNS[name];
    if (!spec) continue;
    const stored = toStored(name, value);
    if (typeof stored === 'string') return { rejected: { code: 'out_of_range', message: stored } };
    columns[spec.column] = stored;
    // digits finer than the column's resolution (Kaifa mA, Q3D 0.1 mWh): kept in the rest column
    const rest = toStoredRest(name, value);
    if (rest !== null) columns[(spec as QuantityColumn).rest!.column as ReadingValueColumn] = rest;
  }
  const mbus: PreparedMbus[] = [];
  for (const m of reading.mbus) {
    if (m.value === null || !Number.isFinite(m.value)) continue;
    const badCapture = m.capturedAt ? timeProblem(m.capturedAt, ctx.receivedAt, window, `mbus channel ${m.channel} capture time`) : null;
    if (badCapture) return { rejected: badCapture };
    if (Math.abs(m.value) > MBUS_MAX || m.channel < 0 || m.channel > 255) {
      return { rejected: { code: 'out_of_range', message: `mbus channel ${m.channel}: value ${m.value} cannot be stored` } };
    }
    mbus.push({
      channel: m.channel,
      capturedAt: m.capturedAt ?? meterTime,
      deviceType: m.deviceType !== null && m.deviceType >= 0 && m.deviceType <= 255 ? m.deviceType : null,
      equipmentId: clip(m.equipmentId, 96),
      value: String(Math.round(m.value * 10_000) / 10_000),
      unit: clip(m.unit, 8),
      valvePosition: m.valvePosition !== undefined && m.valvePosition >= 0 && m.valvePosition <= 255 ? m.valvePosition : null,
    });
  }
  const powerFailures = reading.powerFailureLog
    .filter((e) => plausible(e.endedAt) && e.durationS >= 0 && e.durationS <= 4_294_967_295)
    .map((e) => ({ endedAt: e.endedAt as Date, durationS: Math.round(e.durationS) }));
  const peaks: PreparedReading['peaks'] = [];
  for (const p of [...(reading.demandMonthPeak ? [reading.demandMonthPeak] : []), ...reading.demandPeakHistory]) {
    const w = Math.round(p.kw * 1000);
    if (!plausible(p.at) || (p.periodEnd && Number.isNaN(p.periodEnd.getTime())) || !Number.isFinite(w) || w < 0 || w > 16_777_215) continue;
    peaks.push({ peakAt: p.at, demandW: w, periodEnd: p.periodEnd ?? null });
  }
  const peakMonths: NonNullable<PreparedReading['peakMonths']> = [];
  for (const p of reading.demandPeakHistory) {
    const w = Math.round(p.kw * 1000);
    // a month without a peak: the meter's invalid date 632525252525W (at null) and 0.000 kW, a zero peak
    if (!p.periodEnd || !Number.isFinite(w) || w < 0 || w > 16_777_215) continue;
    peakMonths.push({ periodEnd: p.periodEnd, peakAt: p.at, demandW: w });
  }
  const raw = [
    ...reading.raw.map((r) => ({ obis: r.obis.slice(0, 32), value: r.value })),
    ...reading.messages.map((m) => ({ obis: '0-0:96.13.0', value: m })),
  ];
  const meter = reading.meterId
    ? {
        meterId: reading.meterId.slice(0, 96),
        protocol: ctx.source === 'json' ? ('json' as const) : reading.protocol,
        header: clip(reading.header, 96),
        version: clip(reading.version, 32),
        vendor: clip(reading.vendor, 64),
      }
    : null;
  const protocol = ctx.source === 'json' ? ('json' as const) : reading.protocol;
  const identity =
    reading.meterId || reading.header || reading.version || reading.vendor
      ? { meterId: clip(reading.meterId, 96), protocol, header: clip(reading.header, 96), version: clip(reading.version, 32), vendor: clip(reading.vendor, 64) }
      : null;
  return {
    ok: {
      deviceId: ctx.deviceId,
      meterTime,
      receivedAt: ctx.receivedAt,
      source: READING_SOURCES[ctx.source],
      columns,
      mbus,
      powerFailures,
      peaks,
      raw,
      meter,
      identity,
      peakMonths,
      clockless: reading.meterTime === null,
    },
  };
}
