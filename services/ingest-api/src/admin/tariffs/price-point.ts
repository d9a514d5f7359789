/** One price of a dynamic series: from startMs (UTC) for `minutes` (15 or 60), per kWh. */
export interface PricePoint {
  startMs: number;
  minutes: 15 | 60;
  pricePerKwh: number;
}

/** A price file the importer cannot read; the message names the line or element. */
export class PriceFileError extends Error {
  override readonly name = 'PriceFileError';
}

const QUARTER_MS = 900_000;
/** Prices are stored to the micro-unit per kWh (DECIMAL(12,6)). */
export const PRICE_LIMIT = 999_999;

export function checkPoint(p: PricePoint, where: string): PricePoint {
  if (!Number.isFinite(p.startMs) || p.startMs % QUARTER_MS !== 0) throw new PriceFileError(`${where}: time is not on a quarter-hour`);
  // Prices from before 2000 or after 2100 are a clock or unit mistake, not a tariff.
  if (p.startMs < Date.UTC(2000, 0, 1) || p.startMs >= Date.UTC(2100, 0, 1)) throw new PriceFileError(`${where}: time outside 2000-2099`);
  if (!Number.isFinite(p.pricePerKwh) || Math.abs(p.pricePerKwh) > PRICE_LIMIT) throw new PriceFileError(`${where}: price is not a number within ±${PRICE_LIMIT}`);
  return { ...p, pricePerKwh: Math.round(p.pricePerKwh * 1e6) / 1e6 };
}

/** The quarter-hours a point covers, as [startMs, price] pairs. */
export function quarters(p: PricePoint): [number, number][] {
  return Array.from({ length: p.minutes / 15 }, (_, i) => [p.startMs + i * QUARTER_MS, p.pricePerKwh]);
}

/** A number written with a decimal point or comma ("85,12"); NaN for anything else. */
export function parseDecimal(text: string): number {
  const t = text.trim().replace(/^"|"$/g, '').replace(',', '.');
  return /^[-+]?\d+(\.\d+)?$/.test(t) ? Number(t) : Number.NaN;
}
