/**
 * Decimal numbers and units of P1 values, scanned as latin1 bytes and kept exact:
 * a value is an integer mantissa and a count of decimals, so "01.193" kW becomes exactly 1193 W.
 */

/** Powers of ten that doubles hold exactly. */
const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

/** Result of the last successful parseDecimal (module scratch: no allocation per number). */
export const parsed = { mantissa: 0, decimals: 0, end: 0 };

/**
 * Parses an optionally signed decimal ("001581.123", "0.48", "-1") at bytes[start], stopping at the
 * first other character or `end`, whose index goes to parsed.end. False when there are no digits.
 */
export function parseDecimal(bytes: Uint8Array, start: number, end: number): boolean {
  let i = start;
  let negative = false;
  if (i < end && bytes[i] === 0x2d) {
    negative = true;
    i++;
  }
  const first = i;
  let mantissa = 0;
  let dot = -1; // digit and decimal counts follow from where the '.' and the end are
  for (; i < end; i++) {
    const d = bytes[i]! - 0x30;
    if (d >= 0 && d <= 9) mantissa = mantissa * 10 + d;
    else if (d === -2 && dot < 0) dot = i; // '.'
    else break;
  }
  if (i - first === (dot < 0 ? 0 : 1)) return false; // no digits
  const decimals = dot < 0 ? 0 : i - dot - 1;
  parsed.end = i;
  if (mantissa > Number.MAX_SAFE_INTEGER) {
    // too many digits to stay exact as an integer: fall back to the nearest double
    const value = Number(String.fromCharCode(...bytes.subarray(start, i)));
    parsed.mantissa = value;
    parsed.decimals = 0;
    return true;
  }
  parsed.mantissa = negative ? -mantissa : mantissa;
  parsed.decimals = decimals;
  return true;
}

/** mantissa * 10^(exponent - decimals), rounded once (a division of exact integers). */
export function scaled(mantissa: number, decimals: number, exponent: number): number {
  const e = exponent - decimals;
  if (e === 0) return mantissa;
  if (e > 0) return e < POW10.length ? mantissa * POW10[e]! : mantissa * 10 ** e;
  return -e < POW10.length ? mantissa / POW10[-e]! : mantissa / 10 ** -e;
}

/** Exact sum of two decimals given as mantissa and decimals, or NaN when it would not be exact. */
export function exactSum(m1: number, d1: number, m2: number, d2: number): number {
  const d = d1 > d2 ? d1 : d2;
  if (d - d1 >= POW10.length || d - d2 >= POW10.length) return scaled(m1, d1, 0) + scaled(m2, d2, 0);
  const sum = m1 * POW10[d - d1]! + m2 * POW10[d - d2]!;
  if (!Number.isSafeInteger(sum)) return scaled(m1, d1, 0) + scaled(m2, d2, 0);
  return scaled(sum, d, 0);
}

// Unit codes of what follows '*' in a value.
export const U_NONE = 0;
export const U_KWH = 1;
export const U_WH = 2;
export const U_MWH = 3;
export const U_KW = 4;
export const U_W = 5;
export const U_MW = 6;
export const U_V = 7;
export const U_A = 8;
export const U_KVARH = 9;
export const U_VARH = 10;
export const U_KVAR = 11;
export const U_VAR = 12;
export const U_M3 = 13;
export const U_GJ = 14;
export const U_S = 15;
export const U_OTHER = 99;

function lower(bytes: Uint8Array, at: number): number {
  const c = bytes[at]!;
  return c >= 0x41 && c <= 0x5a ? c | 0x20 : c;
}

/**
 * Classifies the unit text[start, end) (bytes[i] is text[i]), case-insensitively ('m³' counts as m3).
 * Short units are read as bytes; 4-5 letters as text, whose toLowerCase also folds non-latin1 letters.
 */
export function unitCode(text: string, bytes: Uint8Array, start: number, end: number): number {
  const n = end - start;
  const a = n > 0 ? lower(bytes, start) : 0;
  switch (n) {
    case 0:
      return U_NONE;
    case 1:
      return a === 0x77 ? U_W : a === 0x76 ? U_V : a === 0x61 ? U_A : a === 0x73 ? U_S : U_OTHER;
    case 2: {
      const b = lower(bytes, start + 1);
      if (a === 0x6b && b === 0x77) return U_KW;
      if (a === 0x77 && b === 0x68) return U_WH;
      if (a === 0x6d && (b === 0x33 || b === 0xb3)) return U_M3;
      if (a === 0x67 && b === 0x6a) return U_GJ;
      if (bytes[start] === 0x4d && b === 0x77) return U_MW; // 'MW', not 'mW'
      return U_OTHER;
    }
    case 3: {
      // by char codes: kWh is on every register line, a slice per value would allocate
      const b = lower(bytes, start + 1);
      const c = lower(bytes, start + 2);
      if (b === 0x77 && c === 0x68) return a === 0x6b ? U_KWH : a === 0x6d && bytes[start] === 0x4d ? U_MWH : U_OTHER;
      if (a === 0x76 && b === 0x61 && c === 0x72) return U_VAR;
      return U_OTHER;
    }
    case 4: {
      const u = text.slice(start, end).toLowerCase();
      return u === 'kvar' ? U_KVAR : u === 'varh' ? U_VARH : U_OTHER;
    }
    case 5:
      return text.slice(start, end).toLowerCase() === 'kvarh' ? U_KVARH : U_OTHER;
    default:
      return U_OTHER;
  }
}

/** Unit text for M-Bus readings, normalized ('m³' -> 'm3'), or as sent when unknown. */
export function unitText(code: number, text: string, start: number, end: number): string | null {
  switch (code) {
    case U_NONE: return null;
    case U_M3: return 'm3';
    case U_GJ: return 'GJ';
    case U_KWH: return 'kWh';
    case U_MWH: return 'MWh';
    case U_WH: return 'Wh';
    default: return text.slice(start, end);
  }
}
