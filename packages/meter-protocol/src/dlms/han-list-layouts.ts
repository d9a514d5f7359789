/**
 * Recognises the vendor list in a notification body and turns it into ListItems:
 * Aidon (OBIS + scaler/unit per value), Kamstrup (list id then OBIS pairs), OBIS pairs
 * (Swedish Kaifa), Austrian positional pushes (Iskraemeco/Siemens, Landis+Gyr), Kaifa positional.
 */
import { UnsupportedError } from '../errors.ts';
import * as O from '../obis.ts';
import { numericValue, type CosemValue } from './axdr-data.ts';
import type { ClockPolicy } from './cosem-datetime.ts';
import { unitText } from './cosem-units.ts';
import { cde } from './han-quantities.ts';
import { dateTimeBytes, obisText, valueText, type ListItem } from './han-list-item.ts';
import { kaifaScaler, kamstrupScaler, type KamstrupScalers, type ScalerUnit } from './vendor-implicit-scalers.ts';

export interface DecodedList {
  vendor: string | null;
  /** HAN list number (1, 2, 3) or null for pushes that are not Nordic lists. */
  listNumber: number | null;
  policy: ClockPolicy;
  items: ListItem[];
}

export interface LayoutContext {
  /** Vendor from the ciphering system title, when the frame was encrypted. */
  titleVendor: string | null;
  kamstrup: KamstrupScalers;
}

const full = (code: string) => `${code}.255`;

function isObis(v: CosemValue | undefined): v is { type: 'octet-string'; bytes: Uint8Array } {
  return v !== undefined && v.type === 'octet-string' && v.bytes.length === 6;
}

function implicitItem(obis: string, position: number, value: CosemValue, scale: (c: string) => ScalerUnit | null): ListItem {
  const su = numericValue(value) === null ? null : scale(cde(obis));
  return { obis, position, value, scaler: su?.scaler ?? null, unit: su?.unit ?? null };
}

/** Number of the Nordic list: 3 when it carries energy registers, 1 for a lone active power, else 2. */
function nordicListNumber(items: readonly ListItem[]): number {
  const codes = items.filter((i) => i.value.type !== 'null' && i.obis !== null).map((i) => cde(i.obis!));
  if (codes.some((c) => /^\d+\.8\.\d+\.255$/.test(c))) return 3;
  if (codes.length === 1 && codes[0] === `${cde(O.POWER_IMPORT)}.255`) return 1;
  return 2;
}

function vendorFromListId(id: string | null, fallback: string | null): string | null {
  if (id === null) return fallback;
  if (/^AIDON/i.test(id)) return 'Aidon';
  if (/^KFM/i.test(id)) return 'Kaifa';
  if (/^Kamstrup/i.test(id)) return 'Kamstrup';
  return fallback;
}

const POLICY_BY_VENDOR: Record<string, ClockPolicy> = {
  Aidon: 'local',
  Kaifa: 'deviation',
  Kamstrup: 'standard',
};

function finish(vendor: string | null, items: ListItem[], listNumber = nordicListNumber(items)): DecodedList {
  return { vendor, listNumber, policy: (vendor ? POLICY_BY_VENDOR[vendor] : undefined) ?? 'deviation', items };
}

function listVersionText(items: readonly ListItem[]): string | null {
  const lv = items.find((i) => i.obis !== null && /:0\.2\.129\.255$/.test(i.obis));
  return lv ? valueText(lv.value) : null;
}

/** Aidon: array of structure {obis, value} or {obis, value, structure {scaler, unit}}. */
function aidon(body: CosemValue, ctx: LayoutContext): DecodedList | null {
  if (body.type !== 'array' || body.items.length === 0) return null;
  const items: ListItem[] = [];
  for (const [position, entry] of body.items.entries()) {
    if (entry.type !== 'structure' || (entry.items.length !== 2 && entry.items.length !== 3)) return null;
    const [code, value, su] = entry.items;
    if (!isObis(code) || value === undefined) return null;
    let scaler: number | null = null;
    let unit: string | null = null;
    if (su !== undefined) {
      if (su.type !== 'structure' || su.items.length !== 2) return null;
      const [s, u] = su.items;
      if (s?.type !== 'integer' || u?.type !== 'enum') return null;
      scaler = s.value;
      unit = unitText(u.value);
    }
    items.push({ obis: obisText(code.bytes), position, value, scaler, unit });
  }
  return finish(vendorFromListId(listVersionText(items), ctx.titleVendor ?? 'Aidon'), items);
}

/** Reads {obis, value} pairs from items[from..], skipping null-data placeholders. */
function pairs(list: readonly CosemValue[], from: number, scale: (c: string) => ScalerUnit | null): ListItem[] | null {
  const items: ListItem[] = [];
  let i = from;
  while (i < list.length) {
    const code = list[i]!;
    if (code.type === 'null') {
      i++;
      continue;
    }
    const value = list[i + 1];
    if (!isObis(code) || value === undefined) return null;
    items.push(implicitItem(obisText(code.bytes), i + 1, value, scale));
    i += 2;
  }
  return items;
}

/** Kamstrup: structure {visible-string list id, then obis/value pairs (null placeholders in 1-phase lists)}. */
function kamstrup(body: CosemValue, ctx: LayoutContext): DecodedList | null {
  if (body.type !== 'structure' || body.items[0]?.type !== 'visible-string') return null;
  const id = body.items[0];
  const vendor = vendorFromListId(id.value, ctx.titleVendor ?? 'Kamstrup');
  const scale = vendor === 'Kaifa' ? kaifaScaler : kamstrupScaler(ctx.kamstrup);
  const items = pairs(body.items, 1, scale);
  if (!items) return null;
  items.unshift({ obis: full(O.LIST_VERSION), position: 0, value: id, scaler: null, unit: null });
  return finish(vendor, items);
}

/** Flat obis/value pairs (Swedish Kaifa MA304H4PSE). */
function obisPairs(body: CosemValue, ctx: LayoutContext): DecodedList | null {
  if (body.type !== 'structure' || body.items.length < 2 || !isObis(body.items[0])) return null;
  const probe = pairs(body.items, 0, () => null);
  if (!probe) return null;
  const vendor = vendorFromListId(listVersionText(probe), ctx.titleVendor);
  const scale = vendor === 'Kamstrup' ? kamstrupScaler(ctx.kamstrup) : kaifaScaler;
  return finish(vendor, pairs(body.items, 0, scale)!);
}

const PUSH_SETUP_AT = Uint8Array.of(0, 6, 25, 9, 0, 255);

/** Iskraemeco AM550 / Siemens IM350 (Austria): structure(12) after push-setup OBIS 0-6:25.9.0.255. */
function austriaIskraSiemens(body: CosemValue, ctx: LayoutContext): DecodedList | null {
  if (body.type !== 'structure' || body.items.length !== 12) return null;
  const first = body.items[0];
  if (!isObis(first) || first.bytes.some((b, i) => b !== PUSH_SETUP_AT[i])) return null;
  const layout: (string | null)[] = [
    null,
    O.METER_SERIAL,
    null, // time hh mm ss hs (the APDU header carries the full date-time)
    null, // date yyyy mm dd dow
    O.ENERGY_IMPORT,
    O.ENERGY_EXPORT,
    O.ENERGY_REACTIVE_IMPORT,
    O.ENERGY_REACTIVE_EXPORT,
    O.POWER_IMPORT,
    O.POWER_EXPORT,
    null, // customer information texts
    null,
  ];
  const scale = (c: string): ScalerUnit | null => kaifaScaler(c); // W, var, Wh, varh with scaler 0
  const items: ListItem[] = [];
  for (const [position, value] of body.items.entries()) {
    const code = layout[position] ?? null;
    if (code && position >= 4 && numericValue(value) === null) return null;
    items.push(code ? implicitItem(full(code), position, value, scale) : { obis: null, position, value, scaler: null, unit: null });
  }
  return { vendor: ctx.titleVendor ?? 'Iskraemeco/Siemens', listNumber: null, policy: 'deviation', items };
}

/** Landis+Gyr E450 (Netz Burgenland): structure(14) U1-3, I1-3, P+ P-, A+ A-, 3 unknown, meter id. */
function austriaLandisGyr(body: CosemValue, ctx: LayoutContext): DecodedList | null {
  if (body.type !== 'structure' || body.items.length !== 14) return null;
  const types = body.items.map((v) => v.type);
  const expected = [...Array(6).fill('long-unsigned'), ...Array(4).fill('double-long-unsigned'), ...Array(3).fill('long-unsigned'), 'octet-string'];
  if (types.some((t, i) => t !== expected[i])) return null;
  const layout: [string | null, ScalerUnit | null][] = [
    [O.VOLTAGE_L1, { scaler: 0, unit: 'V' }],
    [O.VOLTAGE_L2, { scaler: 0, unit: 'V' }],
    [O.VOLTAGE_L3, { scaler: 0, unit: 'V' }],
    [O.CURRENT_L1, { scaler: -2, unit: 'A' }],
    [O.CURRENT_L2, { scaler: -2, unit: 'A' }],
    [O.CURRENT_L3, { scaler: -2, unit: 'A' }],
    [O.POWER_IMPORT, { scaler: 0, unit: 'W' }],
    [O.POWER_EXPORT, { scaler: 0, unit: 'W' }],
    [O.ENERGY_IMPORT, { scaler: 0, unit: 'Wh' }],
    [O.ENERGY_EXPORT, { scaler: 0, unit: 'Wh' }],
    [null, null],
    [null, null],
    [null, null],
    [O.METER_SERIAL, null],
  ];
  const items = body.items.map((value, position): ListItem => {
    const [code, su] = layout[position]!;
    return { obis: code ? full(code) : null, position, value, scaler: su?.scaler ?? null, unit: su?.unit ?? null };
  });
  return { vendor: ctx.titleVendor ?? 'Landis+Gyr', listNumber: null, policy: 'deviation', items };
}

const KAIFA_1P = [O.LIST_VERSION, O.METER_SERIAL, O.METER_TYPE, O.POWER_IMPORT, O.POWER_EXPORT, O.POWER_REACTIVE_IMPORT, O.POWER_REACTIVE_EXPORT, O.CURRENT_L1, O.VOLTAGE_L1];
const KAIFA_3P = [
  ...KAIFA_1P.slice(0, 8),
  O.CURRENT_L2,
  O.CURRENT_L3,
  O.VOLTAGE_L1,
  O.VOLTAGE_L2,
  O.VOLTAGE_L3,
];
const KAIFA_LIST3_TAIL = [O.HAN_CLOCK, O.ENERGY_IMPORT, O.ENERGY_EXPORT, O.ENERGY_REACTIVE_IMPORT, O.ENERGY_REACTIVE_EXPORT];
const KAIFA_LAYOUTS: Record<number, string[]> = {
  1: [O.POWER_IMPORT],
  9: KAIFA_1P,
  13: KAIFA_3P,
  14: [...KAIFA_1P, ...KAIFA_LIST3_TAIL],
  18: [...KAIFA_3P, ...KAIFA_LIST3_TAIL],
};
const TEXT_CODES = new Set([O.LIST_VERSION, O.METER_SERIAL, O.METER_TYPE]);

/** Kaifa KFM_001: structure of bare values whose meaning is their position; recognised by count. */
function kaifa(body: CosemValue, ctx: LayoutContext): DecodedList | null {
  if (body.type !== 'structure') return null;
  const layout = KAIFA_LAYOUTS[body.items.length];
  if (!layout) return null;
  const items: ListItem[] = [];
  for (const [position, value] of body.items.entries()) {
    const code = layout[position]!;
    const ok = TEXT_CODES.has(code)
      ? value.type === 'octet-string' || value.type === 'visible-string'
      : code === O.HAN_CLOCK
        ? dateTimeBytes(value) !== null
        : numericValue(value) !== null;
    if (!ok) return null;
    items.push(implicitItem(full(code), position, value, kaifaScaler));
  }
  const listNumber = { 1: 1, 9: 2, 13: 2, 14: 3, 18: 3 }[body.items.length] ?? null;
  return finish(vendorFromListId(listVersionText(items), ctx.titleVendor ?? 'Kaifa'), items, listNumber ?? undefined);
}

const LAYOUTS = [aidon, kamstrup, austriaIskraSiemens, austriaLandisGyr, obisPairs, kaifa];

/** The first layout that fits the body, or UnsupportedError naming its shape. */
export function decodeList(body: CosemValue, ctx: LayoutContext): DecodedList {
  for (const layout of LAYOUTS) {
    const list = layout(body, ctx);
    if (list) return list;
  }
  const shape = body.type === 'array' || body.type === 'structure' ? `${body.type}(${body.items.length})` : body.type;
  throw new UnsupportedError(`unknown HAN list layout: notification body is ${shape}`);
}
