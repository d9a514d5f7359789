/**
 * Turns a corpus `expected.json` into the Reading our decoder must produce. This is the test's own,
 * independent reading of the corpus (plain string arithmetic, no decoder code), with the decisions
 * where the corpus and our rules differ written next to them.
 */
import type { DemandPeak, MbusReading, PowerFailureEvent, QuantityName, RawObject } from '../../src/reading.ts';
import type { ExpectedJson, ObisEntry } from './p1-corpus.ts';

/** Where each plain P1 register goes (literal codes: the test does not reuse the decoder's table). */
const QUANTITY_BY_OBIS: Record<string, QuantityName> = {
  '1-0:1.8.0': 'energyImportKwh',
  '1-0:1.8.1': 'energyImportT1Kwh',
  '1-0:1.8.2': 'energyImportT2Kwh',
  '1-0:2.8.0': 'energyExportKwh',
  '1-0:2.8.1': 'energyExportT1Kwh',
  '1-0:2.8.2': 'energyExportT2Kwh',
  '1-0:1.7.0': 'powerImportW',
  '1-0:2.7.0': 'powerExportW',
  '1-0:21.7.0': 'powerImportL1W',
  '1-0:41.7.0': 'powerImportL2W',
  '1-0:61.7.0': 'powerImportL3W',
  '1-0:22.7.0': 'powerExportL1W',
  '1-0:42.7.0': 'powerExportL2W',
  '1-0:62.7.0': 'powerExportL3W',
  '1-0:32.7.0': 'voltageL1V',
  '1-0:52.7.0': 'voltageL2V',
  '1-0:72.7.0': 'voltageL3V',
  '1-0:31.7.0': 'currentL1A',
  '1-0:51.7.0': 'currentL2A',
  '1-0:71.7.0': 'currentL3A',
  '0-0:96.14.0': 'tariff',
  '0-0:96.7.21': 'powerFailures',
  '0-0:96.7.9': 'longPowerFailures',
  '1-0:32.32.0': 'voltageSagsL1',
  '1-0:52.32.0': 'voltageSagsL2',
  '1-0:72.32.0': 'voltageSagsL3',
  '1-0:32.36.0': 'voltageSwellsL1',
  '1-0:52.36.0': 'voltageSwellsL2',
  '1-0:72.36.0': 'voltageSwellsL3',
  '1-0:1.4.0': 'demandCurrentAverageKw',
  '0-0:96.3.10': 'breakerState',
  '0-0:17.0.0': 'limiterThresholdKw',
  '1-0:31.4.0': 'fuseThresholdA',
};

/** Units each quantity accepts: the decimal point moves by the given places. */
function placesFor(name: QuantityName, unit: string | null): number | null {
  if (name.endsWith('Kwh')) return unit === 'kWh' || unit === null ? 0 : null;
  if (name.endsWith('Kw')) return unit === 'kW' || unit === null ? 0 : null; // 0-0:17.0.0(016*A) in DSMR 3 has no kW form: kept raw
  if (name.endsWith('W')) return unit === 'kW' || unit === null ? 3 : unit === 'W' ? 0 : null;
  if (name.endsWith('V')) return unit === 'V' || unit === null ? 0 : null;
  if (name.endsWith('A')) return unit === 'A' || unit === null ? 0 : null;
  return unit === null ? 0 : null;
}

/** Exact value of a decimal string with the point moved `places` to the right, e.g. ("01.193", 3) -> 1193. */
export function shiftDecimal(text: string, places: number): number {
  const negative = text.startsWith('-');
  const [int = '', frac = ''] = (negative ? text.slice(1) : text).split('.');
  const padded = frac.padEnd(places, '0');
  const digits = `${int}${padded.slice(0, places)}.${padded.slice(places)}`;
  return (negative ? -1 : 1) * Number(digits.endsWith('.') ? digits.slice(0, -1) : digits);
}

/** Exact sum of two decimal strings, via BigInt. */
export function decimalSum(a: string, b: string): number {
  const places = Math.max(a.split('.')[1]?.length ?? 0, b.split('.')[1]?.length ?? 0);
  const big = (s: string) => BigInt(s.replace('.', '').padEnd(s.replace('.', '').length + places - (s.split('.')[1]?.length ?? 0), '0'));
  const sum = (big(a) + big(b)).toString().padStart(places + 1, '0');
  return Number(places === 0 ? sum : `${sum.slice(0, -places)}.${sum.slice(-places)}`);
}

/** Equipment ids: hex decoded to ASCII when every byte is printable, else as sent. */
export function decodeId(value: string | null): string | null {
  if (value === null || value === '') return null;
  if (!/^(?:[0-9A-Fa-f]{2})+$/.test(value)) return value;
  const bytes = Buffer.from(value, 'hex');
  return bytes.every((b) => b >= 0x20 && b <= 0x7e) ? bytes.toString('latin1') : value;
}

/**
 * Decision on unset clocks: a meter counts from 2000-01-01 until its clock is set (000101010000W,
 * 000101000001W, 000104180320W) and 700101010000W is the 1970 epoch; the corpus converts them
 * mechanically (2000-..., even 2070-01-01), we give null.
 */
function unsetClock(ts: string): boolean {
  const yy = Number(ts.slice(0, 2));
  return yy === 0 || yy >= 70;
}

/**
 * Expected UTC of a corpus timestamp. The corpus' obis section applies the flag rule (S = -2 h,
 * W = -1 h). Our rule is the tz database, the flag only settling the repeated autumn hour: where
 * the corpus notes that the two differ (e-MUCS spec examples with S flags in winter), the
 * tzdb value it gives wins. `tzdb` is the second opinion (dsmr_parser, tzdb-based) for timestamps
 * the corpus cannot convert: flagless DSMR 2.2/3 ones.
 */
export function expectedTime(ts: string | null, flagRuleUtc: string | null | undefined, notes: string[] = [], field = '', tzdb?: string | null): string | null {
  if (ts === null || ts === '' || unsetClock(ts)) return null;
  const note = notes.find((n) => n.startsWith(field) && n.includes('tzdb-based UTC would be'));
  if (note !== undefined) return note.slice(note.lastIndexOf(' ') + 1).replace('Z', '.000Z');
  if (ts.length === 12 && tzdb) return tzdb.replace('Z', '.000Z');
  if (!flagRuleUtc) return null; // invalid date such as 632525252525W or 123412341234W
  return flagRuleUtc.replace('Z', '.000Z');
}

/** Flag rule on a 13-character timestamp, for objects whose corpus entry gives no UTC. */
export function flagRule(ts: string): string | null {
  const [yy, mo, dd, hh, mi, ss] = [0, 2, 4, 6, 8, 10].map((i) => Number(ts.slice(i, i + 2))) as [number, number, number, number, number, number];
  const wall = Date.UTC(2000 + yy, mo - 1, dd, hh, mi, ss);
  const d = new Date(wall);
  if (d.getUTCMonth() !== mo - 1 || d.getUTCDate() !== dd || hh > 23 || mi > 59 || ss > 59) return null;
  return new Date(wall - (ts[12]?.toUpperCase() === 'S' ? 2 : 1) * 3_600_000).toISOString().replace('.000Z', 'Z');
}

export interface ExpectedReading {
  header: string;
  meterTime: string | null;
  meterId: string | null;
  version: string | null;
  values: Partial<Record<QuantityName, number>>;
  mbus: (Omit<MbusReading, 'capturedAt'> & { capturedAt: string | null })[];
  powerFailureLog: (Omit<PowerFailureEvent, 'endedAt'> & { endedAt: string | null })[];
  demandMonthPeak: { at: string | null; kw: number } | null;
  demandPeakHistory: { periodEnd: string | null; at: string | null; kw: number }[];
  messages: string[];
  raw: RawObject[];
}

type Entry = ObisEntry & { value?: string | null; unit?: string | null; timestamp?: string; timestamp_utc?: string | null; notes?: string[] };

const ID_PRIORITY = ['0-0:96.1.1', '0-0:96.1.0', '1-0:0.0.0', '0-0:0.0.0'];

function rawValue(entry: Entry, _obis: string): string {
  // the text after the code and its optional `*255` F group
  return entry.raw.slice(entry.raw.indexOf('('));
}

function dpObjects(expected: ExpectedJson): Record<string, { value?: string | null; datetime?: string }> {
  return (expected.dsmr_parser?.objects ?? {}) as Record<string, { value?: string | null; datetime?: string }>;
}

/** dsmr_parser's (tzdb-based) time of the gas reading on channel n, for flagless DSMR 2.2/3. */
function dpGasTime(expected: ExpectedJson, channel: number): string | null {
  const devices = (expected.dsmr_parser?.objects as Record<string, unknown> | undefined)?.MBUS_DEVICES as
    | { channel: number; GAS_METER_READING?: { datetime: string } }[]
    | undefined;
  return devices?.find((d) => d.channel === channel)?.GAS_METER_READING?.datetime ?? null;
}

export function expectedReading(expected: ExpectedJson): ExpectedReading {
  const out: ExpectedReading = {
    header: expected.header.slice(1),
    meterTime: null,
    meterId: null,
    version: null,
    values: {},
    mbus: [],
    powerFailureLog: [],
    demandMonthPeak: null,
    demandPeakHistory: [],
    messages: [],
    raw: [],
  };
  const mbus = new Map<number, ExpectedReading['mbus'][number]>();
  const channel = (n: number) => {
    let c = mbus.get(n);
    if (c === undefined) {
      c = { channel: n, deviceType: null, equipmentId: null, value: null, unit: null, capturedAt: null };
      mbus.set(n, c);
    }
    return c;
  };
  const ids: { obis: string; entry: Entry }[] = [];
  const raw = (obis: string, entry: Entry) => out.raw.push({ obis, value: rawValue(entry, obis) });

  for (const [key, listOrEntry] of Object.entries(expected.obis)) {
    // the stream fixture lists an object once per telegram: the last one is the whole telegram's
    const entry = (Array.isArray(listOrEntry) ? listOrEntry.at(-1) : listOrEntry) as Entry;
    // Decision: Sagemcom XT211 (Luxembourg) sends electricity on channel 1 (`1-1:1.8.1`); mapped like `1-0:`
    const obis = key.startsWith('1-1:') ? `1-0:${key.slice(4)}` : key;
    const value = entry.value ?? null;
    const quantity = QUANTITY_BY_OBIS[obis];
    if (quantity !== undefined) {
      const places = placesFor(quantity, entry.unit ?? null);
      if (value === null || places === null || out.values[quantity] !== undefined) raw(key, entry);
      else out.values[quantity] = shiftDecimal(value, places);
      continue;
    }
    const mbusMatch = /^0-([1-4]):(.*)$/.exec(obis);
    if (mbusMatch !== null) {
      const n = Number(mbusMatch[1]);
      const code = mbusMatch[2];
      if (code === '24.1.0') channel(n).deviceType = value === null ? null : Number(value);
      else if (code === '96.1.0' || code === '96.1.1') {
        const c = channel(n);
        if (c.equipmentId === null) c.equipmentId = decodeId(value);
        else raw(key, entry);
      } else if (code === '24.4.0') channel(n).valvePosition = Number(value);
      else if (code === '24.2.1' || code === '24.2.3' || code === '24.3.0') {
        const c = channel(n);
        const at = expectedTime(entry.timestamp ?? null, entry.timestamp_utc, entry.notes, '', dpGasTime(expected, n));
        // Decision: an all-zero value with an unset capture time is the empty-channel sentinel
        if (at === null && Number(value) === 0) continue;
        c.value = Number(value);
        c.unit = entry.unit === 'm³' ? 'm3' : (entry.unit ?? null);
        c.capturedAt = at;
      } else raw(key, entry);
      continue;
    }
    switch (obis) {
      case '0-0:1.0.0': {
        const ts = value ?? '';
        // The corpus gives no UTC for the clock: dsmr_parser's (tzdb) value is used, else the flag rule.
        // Decision: dp_iskra_ie sends 230202132747S in February; tzdb (CET) wins over the S flag.
        const tzdb = dpObjects(expected).P1_MESSAGE_TIMESTAMP?.value;
        out.meterTime = expectedTime(ts, tzdb ?? flagRule(ts));
        break;
      }
      case '1-3:0.2.8':
      case '0-0:96.1.4':
        if (out.version === null) out.version = value;
        else raw(key, entry);
        break;
      case '0-0:96.13.0':
      case '0-0:96.13.1':
        if (value !== null) out.messages.push(Buffer.from(value, 'hex').toString('latin1'));
        break;
      case '1-0:99.97.0': {
        const events = (entry.events ?? []) as { end: string; end_utc: string; duration: string }[];
        out.powerFailureLog = events.map((e) => ({ endedAt: expectedTime(e.end, e.end_utc), durationS: Number(e.duration) }));
        break;
      }
      case '1-0:1.6.0':
        out.demandMonthPeak = { at: expectedTime(entry.timestamp ?? null, entry.timestamp_utc, entry.notes), kw: Number(value) };
        break;
      case '0-0:98.1.0': {
        const months = entry.months as
          | { period_end: string; period_end_utc: string; peak_at: string; peak_at_utc: string; value: string; notes?: string[] }[]
          | undefined;
        // Decision: a count without its entries (`(12)`, Sagemcom XT211) is kept raw, history empty
        if (months === undefined) raw(key, entry);
        else {
          out.demandPeakHistory = months.map((m) => ({
            periodEnd: expectedTime(m.period_end, m.period_end_utc, m.notes, 'period_end'),
            at: expectedTime(m.peak_at, m.peak_at_utc, m.notes, 'peak_at'),
            kw: Number(m.value),
          }));
        }
        break;
      }
      default:
        if (ID_PRIORITY.includes(obis)) ids.push({ obis: key, entry });
        else raw(key, entry);
    }
  }
  // Decision: the meter id is the first present of 96.1.1, 96.1.0, 1-0:0.0.0, 0-0:0.0.0; other ids stay raw
  const present = ids.filter((i) => decodeId(i.entry.value ?? null) !== null);
  present.sort((a, b) => ID_PRIORITY.indexOf(a.obis) - ID_PRIORITY.indexOf(b.obis));
  if (present[0] !== undefined) out.meterId = decodeId(present[0].entry.value ?? null);
  for (const other of present.slice(1)) raw(other.obis, other.entry);
  // Decision: DSMR/e-MUCS send tariff registers only; the total is their exact sum
  const text = (k: string) => {
    const e = expected.obis[k];
    return ((Array.isArray(e) ? e.at(-1) : e) as Entry | undefined)?.value ?? null;
  };
  for (const [total, t1, t2] of [
    ['energyImportKwh', '1-0:1.8.1', '1-0:1.8.2'],
    ['energyExportKwh', '1-0:2.8.1', '1-0:2.8.2'],
  ] as const) {
    const a = text(t1) ?? text(t1.replace('1-0:', '1-1:'));
    const b = text(t2) ?? text(t2.replace('1-0:', '1-1:'));
    if (out.values[total] === undefined && a !== null && b !== null) out.values[total] = decimalSum(a, b);
  }
  out.mbus = [...mbus.values()].sort((x, y) => x.channel - y.channel);
  return out;
}

/** The parts of a decoded reading the corpus can speak to, with dates as ISO strings. */
export function comparable(reading: import('../../src/reading.ts').Reading): ExpectedReading {
  const iso = (d: Date | null) => (d === null ? null : d.toISOString());
  return {
    header: reading.header ?? '',
    meterTime: iso(reading.meterTime),
    meterId: reading.meterId,
    version: reading.version,
    values: reading.values,
    mbus: reading.mbus.map((m) => ({ ...m, capturedAt: iso(m.capturedAt) })),
    powerFailureLog: reading.powerFailureLog.map((e) => ({ ...e, endedAt: iso(e.endedAt) })),
    demandMonthPeak: reading.demandMonthPeak === null ? null : { at: iso(reading.demandMonthPeak.at), kw: reading.demandMonthPeak.kw },
    demandPeakHistory: reading.demandPeakHistory.map((p: DemandPeak) => ({ periodEnd: iso(p.periodEnd ?? null), at: iso(p.at), kw: p.kw })),
    messages: reading.messages,
    raw: reading.raw,
  };
}
