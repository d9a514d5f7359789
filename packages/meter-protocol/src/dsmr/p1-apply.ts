/**
 * Puts one decoded P1 object into the reading. Anything that has no typed place (unknown code,
 * unexpected unit, second copy, value that does not parse) is kept in reading.raw as sent.
 */
import { QUANTITIES, type MbusReading } from '../reading.ts';
import { equipmentIdText, messageText } from './hex-text.ts';
import {
  H_FAILURE_LOG, H_ID, H_MBUS_ID, H_MBUS_PROFILE, H_MBUS_TYPE, H_MBUS_VALUE, H_MBUS_VALVE, H_MESSAGE,
  H_MONTH_PEAK, H_PEAK_HISTORY, H_QUANTITY, H_TIME, H_VERSION,
  K_A, K_KVARH, K_KW, K_KWH, K_PLAIN, K_V, K_VAR, K_W, obisKey, objectSpec,
} from './p1-objects.ts';
import {
  U_A, U_KVAR, U_KVARH, U_KW, U_KWH, U_MW, U_MWH, U_NONE, U_S, U_V, U_VAR, U_VARH, U_W, U_WH,
  exactSum, parseDecimal, parsed, scaled, unitCode, unitText,
} from './p1-number.ts';
import { parseP1TimeAt } from './p1-time.ts';
import { buildValues } from './quantity-values.ts';
import { ID_FIELDS, type BodyContext } from './body-context.ts';

const NO_UNIT = -1000;

/** Power of ten that turns a value in `unit` into the quantity kind's unit; NO_UNIT if incompatible. */
function exponentFor(kind: number, unit: number): number {
  switch (kind) {
    case K_KWH: return unit === U_KWH || unit === U_NONE ? 0 : unit === U_WH ? -3 : unit === U_MWH ? 3 : NO_UNIT;
    case K_W: return unit === U_KW || unit === U_NONE ? 3 : unit === U_W ? 0 : unit === U_MW ? 6 : NO_UNIT;
    case K_KW: return unit === U_KW || unit === U_NONE ? 0 : unit === U_W ? -3 : unit === U_MW ? 3 : NO_UNIT;
    case K_KVARH: return unit === U_KVARH || unit === U_NONE ? 0 : unit === U_VARH ? -3 : NO_UNIT;
    case K_VAR: return unit === U_KVAR || unit === U_NONE ? 3 : unit === U_VAR ? 0 : NO_UNIT;
    case K_V: return unit === U_V || unit === U_NONE ? 0 : NO_UNIT;
    case K_A: return unit === U_A || unit === U_NONE ? 0 : NO_UNIT;
    case K_PLAIN: return unit === U_NONE ? 0 : NO_UNIT;
    default: return NO_UNIT;
  }
}

/**
 * Parses group k as `number[*unit]` converted to the kind's unit, leaving the exact form in
 * `parsed` (mantissa, decimals after conversion). Returns NaN when it does not fit.
 */
function groupNumber(ctx: BodyContext, k: number, kind: number): number {
  const bytes = ctx.bytes;
  const e = ctx.groups[2 * k + 1]!;
  if (!parseDecimal(bytes, ctx.groups[2 * k]!, e)) return NaN;
  const star = parsed.end;
  if (star < e && bytes[star] !== 0x2a) return NaN;
  const exponent = exponentFor(kind, star < e ? unitCode(ctx.text, bytes, star + 1, e) : U_NONE);
  if (exponent === NO_UNIT) return NaN;
  parsed.decimals -= exponent;
  return scaled(parsed.mantissa, parsed.decimals, 0);
}

function time(ctx: BodyContext, k: number): Date | null {
  return parseP1TimeAt(ctx.bytes, ctx.groups[2 * k]!, ctx.groups[2 * k + 1]!, ctx.timeZone);
}

function isEmpty(ctx: BodyContext, k: number): boolean {
  return ctx.groups[2 * k]! === ctx.groups[2 * k + 1]!;
}

const TOTAL_IMPORT = QUANTITIES.indexOf('energyImportKwh');
const TOTAL_EXPORT = QUANTITIES.indexOf('energyExportKwh');

/**
 * Group 0 as groupNumber reads it, for the usual `digits[.digits][*unit]` with at most 15 digits
 * (exact as an integer) in one pass; anything else (sign, leading '.', more digits) by groupNumber.
 */
function quantityNumber(ctx: BodyContext, kind: number): number {
  const bytes = ctx.bytes;
  const s = ctx.groups[0]!;
  const e = ctx.groups[1]!;
  let mantissa = 0;
  let i = s;
  for (; i < e; i++) {
    const d = bytes[i]! - 0x30;
    if (d < 0 || d > 9) break;
    mantissa = mantissa * 10 + d;
  }
  let digits = i - s;
  let decimals = 0;
  if (i < e && bytes[i] === 0x2e) {
    const fraction = ++i;
    for (; i < e; i++) {
      const d = bytes[i]! - 0x30;
      if (d < 0 || d > 9) break;
      mantissa = mantissa * 10 + d;
    }
    decimals = i - fraction;
    digits += decimals;
  }
  if (i === s || digits > 15 || (i < e && bytes[i] !== 0x2a)) return groupNumber(ctx, 0, kind);
  const exponent = exponentFor(kind, i < e ? unitCode(ctx.text, bytes, i + 1, e) : U_NONE);
  if (exponent === NO_UNIT) return NaN;
  parsed.mantissa = mantissa;
  parsed.decimals = decimals - exponent;
  return scaled(mantissa, decimals - exponent, 0);
}

/** A quantity; a tariff register (tariffBit >= 0) also keeps its exact form for the totals derived in finishReading. */
function applyQuantity(ctx: BodyContext, index: number, kind: number, bit: number): boolean {
  if (ctx.groupCount !== 1 || ctx.present[index] === 1) return false;
  const value = quantityNumber(ctx, kind);
  if (Number.isNaN(value)) return false;
  ctx.values[index] = value;
  ctx.present[index] = 1;
  if (bit >= 0) {
    ctx.tariffMask |= 1 << bit;
    ctx.tariffRegisters[2 * bit] = parsed.mantissa;
    ctx.tariffRegisters[2 * bit + 1] = parsed.decimals;
  }
  return true;
}

function mbusChannel(ctx: BodyContext): MbusReading {
  const mbus = ctx.reading.mbus;
  for (let i = 0; i < mbus.length; i++) if (mbus[i]!.channel === ctx.b) return mbus[i]!;
  const channel: MbusReading = { channel: ctx.b, deviceType: null, equipmentId: null, value: null, unit: null, capturedAt: null };
  mbus.push(channel);
  return channel;
}

/** M-Bus value `value[*unit]` in group k; an all-zero value with an unset capture time is the empty-channel sentinel. */
function applyMbusValue(ctx: BodyContext, channel: MbusReading, timeGroup: number, valueGroup: number, unitGroup: number): boolean {
  if (channel.value !== null || channel.capturedAt !== null || channel.unit !== null) return false;
  const text = ctx.text;
  const bytes = ctx.bytes;
  const s = ctx.groups[2 * valueGroup]!;
  const e = ctx.groups[2 * valueGroup + 1]!;
  let star = s;
  while (star < e && bytes[star] !== 0x2a) star++;
  if (!parseDecimal(bytes, s, star) || parsed.end !== star) return false;
  const value = scaled(parsed.mantissa, parsed.decimals, 0);
  let unit: string | null;
  if (unitGroup >= 0) {
    const us = ctx.groups[2 * unitGroup]!;
    const ue = ctx.groups[2 * unitGroup + 1]!;
    unit = unitText(unitCode(text, bytes, us, ue), text, us, ue);
  } else {
    unit = star < e ? unitText(unitCode(text, bytes, star + 1, e), text, star + 1, e) : null;
  }
  const capturedAt = time(ctx, timeGroup);
  if (capturedAt === null && value === 0) return true; // empty channel: (632525252525W)(00000.000), (700101010000W)(00000000)
  channel.value = value;
  channel.unit = unit;
  channel.capturedAt = capturedAt;
  return true;
}

function applyMbus(ctx: BodyContext, handler: number): boolean {
  const n = ctx.groupCount;
  switch (handler) {
    case H_MBUS_TYPE: {
      const channel = mbusChannel(ctx);
      if (n !== 1 || channel.deviceType !== null) return false;
      if (isEmpty(ctx, 0)) return true;
      const value = groupNumber(ctx, 0, K_PLAIN);
      if (!Number.isInteger(value)) return false;
      channel.deviceType = value;
      return true;
    }
    case H_MBUS_ID: {
      const channel = mbusChannel(ctx);
      if (n !== 1 || channel.equipmentId !== null) return false;
      channel.equipmentId = equipmentIdText(ctx.text, ctx.bytes, ctx.groups[0]!, ctx.groups[1]!);
      return true;
    }
    case H_MBUS_VALVE: {
      const channel = mbusChannel(ctx);
      if (n !== 1 || channel.valvePosition !== undefined) return false;
      if (isEmpty(ctx, 0)) return true;
      const value = groupNumber(ctx, 0, K_PLAIN);
      if (Number.isNaN(value)) return false;
      channel.valvePosition = value;
      return true;
    }
    case H_MBUS_VALUE:
      return n === 2 && applyMbusValue(ctx, mbusChannel(ctx), 0, 1, -1);
    case H_MBUS_PROFILE:
      // (time)(status)(period)(count)(obis)(unit) then (value): DSMR 2.2/3
      return n === 7 && applyMbusValue(ctx, mbusChannel(ctx), 0, 6, 5);
    default:
      return false;
  }
}

/** 1-0:99.97.0: (count)(0-0:96.7.19) then (end time)(duration*s) per event; `()` when empty. */
function applyFailureLog(ctx: BodyContext): boolean {
  const n = ctx.groupCount;
  const log = ctx.reading.powerFailureLog;
  if (log.length > 0) return false;
  if (n === 1 && isEmpty(ctx, 0)) return true;
  const count = groupNumber(ctx, 0, K_PLAIN);
  if (!Number.isInteger(count) || count < 0) return false;
  if (count === 0) return n <= 2;
  if (n !== 2 + 2 * count) return false;
  const text = ctx.text;
  const bytes = ctx.bytes;
  for (let k = 2; k < n; k += 2) {
    const s = ctx.groups[2 * k + 2]!;
    const e = ctx.groups[2 * k + 3]!;
    let star = s;
    while (star < e && bytes[star] !== 0x2a) star++;
    if (star < e && unitCode(text, bytes, star + 1, e) !== U_S) return false;
    if (!parseDecimal(bytes, s, star) || parsed.end !== star || parsed.decimals !== 0) return false;
    log.push({ endedAt: time(ctx, k), durationS: parsed.mantissa });
  }
  return true;
}

/** 1-0:1.6.0: (time of the peak)(kW). */
function applyMonthPeak(ctx: BodyContext): boolean {
  if (ctx.groupCount !== 2 || ctx.reading.demandMonthPeak !== null) return false;
  const kw = groupNumber(ctx, 1, K_KW);
  if (Number.isNaN(kw)) return false;
  ctx.reading.demandMonthPeak = { at: time(ctx, 0), kw };
  return true;
}

/**
 * 0-0:98.1.0: (n)(1-0:1.6.0)(1-0:1.6.0) then n x (month boundary)(time of the peak)(kW).
 * `(0)(1-0:1.6.0)(1-0:1.6.0)()` is an empty history; a count without entries (`(12)`) is kept raw.
 */
function applyPeakHistory(ctx: BodyContext): boolean {
  const n = ctx.groupCount;
  const history = ctx.reading.demandPeakHistory;
  if (history.length > 0) return false;
  const count = groupNumber(ctx, 0, K_PLAIN);
  if (!Number.isInteger(count) || count < 0) return false;
  if (count === 0) return n <= 3 || (n === 4 && isEmpty(ctx, 3));
  if (n !== 3 + 3 * count) return false;
  for (let k = 3; k < n; k += 3) {
    const kw = groupNumber(ctx, k + 2, K_KW);
    if (Number.isNaN(kw)) {
      history.length = 0;
      return false;
    }
    history.push({ periodEnd: time(ctx, k), at: time(ctx, k + 1), kw });
  }
  return true;
}

/** Decodes the context's current object into the reading, or keeps it raw. */
export function applyObject(ctx: BodyContext): void {
  const key = obisKey(ctx.a, ctx.b, ctx.c, ctx.d, ctx.e);
  const spec = key < 0 ? undefined : objectSpec(key);
  if (spec === undefined) {
    ctx.keepRaw();
    return;
  }
  const reading = ctx.reading;
  let done: boolean;
  switch (spec.handler) {
    case H_QUANTITY:
      done = applyQuantity(ctx, spec.index, spec.kind, spec.tariffBit);
      break;
    case H_TIME:
      ctx.hasClock = true;
      done = ctx.groupCount === 1 && reading.meterTime === null && reading.meterClockUnset === undefined;
      if (done) reading.meterTime = time(ctx, 0);
      // a clock that is unset or no date is no time, but the reading says what the meter sent
      if (done && reading.meterTime === null && !isEmpty(ctx, 0)) reading.meterClockUnset = ctx.group(0);
      break;
    case H_VERSION:
      ctx.hasVersion = true;
      done = ctx.groupCount === 1 && reading.version === null && !isEmpty(ctx, 0);
      if (done) reading.version = ctx.group(0);
      break;
    case H_ID:
      done = ctx.groupCount === 1;
      if (done) ctx.addId(spec.rank);
      break;
    case H_MESSAGE: {
      done = ctx.groupCount === 1;
      const message = done ? messageText(ctx.text, ctx.groups[0]!, ctx.groups[1]!) : null;
      if (message !== null) reading.messages.push(message);
      break;
    }
    case H_FAILURE_LOG:
      done = applyFailureLog(ctx);
      break;
    case H_MONTH_PEAK:
      done = applyMonthPeak(ctx);
      break;
    case H_PEAK_HISTORY:
      done = applyPeakHistory(ctx);
      break;
    default:
      done = applyMbus(ctx, spec.handler);
  }
  if (!done) ctx.keepRaw();
}

/** After the last object: pick the meter id, derive register totals, order M-Bus channels. */
export function finishReading(ctx: BodyContext): void {
  const reading = ctx.reading;
  // the meter id is the best-ranked non-empty id; the others are kept raw
  const ids = ctx.ids;
  let best = -1;
  for (let k = 0; k < ctx.idCount; k++) {
    const at = k * ID_FIELDS;
    if (ids[at + 6]! < ids[at + 7]! && (best < 0 || ids[at]! < ids[best * ID_FIELDS]!)) best = k;
  }
  for (let k = 0; k < ctx.idCount; k++) {
    const at = k * ID_FIELDS;
    if (ids[at + 6]! === ids[at + 7]!) continue;
    if (k === best) reading.meterId = equipmentIdText(ctx.text, ctx.bytes, ids[at + 6]!, ids[at + 7]!);
    else reading.raw.push({ obis: `${ids[at + 1]}-${ids[at + 2]}:${ids[at + 3]}.${ids[at + 4]}.${ids[at + 5]}`, value: `(${ctx.text.slice(ids[at + 6], ids[at + 7])})` });
  }
  const regs = ctx.tariffRegisters;
  const present = ctx.present;
  const vals = ctx.values;
  // DSMR and e-MUCS send the two tariff registers only: the total is their exact sum
  if ((ctx.tariffMask & 0b0011) === 0b0011 && present[TOTAL_IMPORT] === 0) {
    vals[TOTAL_IMPORT] = exactSum(regs[0]!, regs[1]!, regs[2]!, regs[3]!);
    present[TOTAL_IMPORT] = 1;
  }
  if ((ctx.tariffMask & 0b1100) === 0b1100 && present[TOTAL_EXPORT] === 0) {
    vals[TOTAL_EXPORT] = exactSum(regs[4]!, regs[5]!, regs[6]!, regs[7]!);
    present[TOTAL_EXPORT] = 1;
  }
  // keys in QUANTITIES order, the same in every reading
  reading.values = buildValues(present, vals);
  const mbus = reading.mbus;
  // meters send their channels in order: sort (a closure and a builtin call) only when they are not
  for (let k = 1; k < mbus.length; k++) {
    if (mbus[k - 1]!.channel > mbus[k]!.channel) {
      mbus.sort((x, y) => x.channel - y.channel);
      break;
    }
  }
}
