/**
 * A P1 capture's expected.json as a Reading, through the protocol package's own reading of the
 * corpus (plain string arithmetic, none of the decoder's code), so stored rows are checked against
 * the corpus and not against the decoder that produced them.
 */
import { emptyReading, type Reading } from '@sem/meter-protocol';
import { expectedReading } from '@sem/meter-protocol/testing';

const date = (iso: string | null | undefined): Date | null => (iso ? new Date(iso) : null);

export function p1ExpectedReading(expected: any): Reading {
  const e = expectedReading(expected);
  return {
    ...emptyReading('p1'),
    meterTime: date(e.meterTime),
    meterId: e.meterId,
    header: e.header,
    version: e.version,
    values: e.values,
    mbus: e.mbus.map((m) => ({ ...m, capturedAt: date(m.capturedAt) })),
    powerFailureLog: e.powerFailureLog.map((p) => ({ ...p, endedAt: date(p.endedAt) })),
    demandMonthPeak: e.demandMonthPeak === null ? null : { at: date(e.demandMonthPeak.at), kw: e.demandMonthPeak.kw },
    demandPeakHistory: e.demandPeakHistory.map((p) => ({ periodEnd: date(p.periodEnd), at: date(p.at), kw: p.kw })),
    messages: e.messages,
    raw: e.raw,
  };
}

/** The value text of one object in expected.json (the last one for a stream), if its unit is `unit`. */
export function obisText(expected: any, code: string, unit?: string): string | null {
  const listOrEntry = expected?.obis?.[code];
  const entry = Array.isArray(listOrEntry) ? listOrEntry.at(-1) : listOrEntry;
  if (!entry || typeof entry.value !== 'string') return null;
  if (unit !== undefined && entry.unit !== unit) return null;
  return entry.value;
}
