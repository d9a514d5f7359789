/**
 * ENTSO-E day-ahead prices (document type A44, Publication_MarketDocument): TimeSeries > Period with a
 * UTC timeInterval, a resolution (PT15M or PT60M) and Points (position, price.amount in currency/MWh).
 * A position left out repeats the previous one (curve type A03). The first series that covers a time wins.
 */
import { checkPoint, parseDecimal, PriceFileError, type PricePoint } from './price-point.ts';

const tag = (name: string) => new RegExp(`<(?:[\\w.-]+:)?${name.replace('.', '\\.')}(?:\\s[^>]*)?>([\\s\\S]*?)</(?:[\\w.-]+:)?${name.replace('.', '\\.')}>`, 'g');
const first = (xml: string, name: string): string | undefined => tag(name).exec(xml)?.[1]?.trim();
const all = (xml: string, name: string): string[] => [...xml.matchAll(tag(name))].map((m) => m[1]!);

const RESOLUTION_MIN: Record<string, 15 | 60> = { PT15M: 15, PT60M: 60, PT1H: 60 };

export function isEntsoeXml(text: string): boolean {
  return /<(?:[\w.-]+:)?Publication_MarketDocument[\s>]/.test(text.slice(0, 2000));
}

export function parseEntsoeXml(text: string): PricePoint[] {
  if (!isEntsoeXml(text)) throw new PriceFileError('not an ENTSO-E Publication_MarketDocument');
  const bySlot = new Map<number, PricePoint>();
  all(text, 'TimeSeries').forEach((series, s) => {
    const unit = first(series, 'price_Measure_Unit.name');
    if (unit !== undefined && unit.toUpperCase() !== 'MWH') throw new PriceFileError(`TimeSeries ${s + 1}: prices per ${unit}, expected MWH`);
    all(series, 'Period').forEach((period, p) => {
      const where = `TimeSeries ${s + 1} Period ${p + 1}`;
      const start = Date.parse(first(period, 'start') ?? '');
      const end = Date.parse(first(period, 'end') ?? '');
      const minutes = RESOLUTION_MIN[first(period, 'resolution') ?? ''];
      if (!Number.isFinite(start) || !Number.isFinite(end) || end <= start) throw new PriceFileError(`${where}: bad timeInterval`);
      if (!minutes) throw new PriceFileError(`${where}: resolution must be PT15M or PT60M`);
      const slots = (end - start) / (minutes * 60_000);
      if (!Number.isInteger(slots) || slots > 10_000) throw new PriceFileError(`${where}: timeInterval is not a whole number of ${minutes}-minute slots`);
      const prices = new Map<number, number>();
      for (const point of all(period, 'Point')) {
        const position = Number(first(point, 'position'));
        const amount = parseDecimal(first(point, 'price.amount') ?? '');
        if (!Number.isInteger(position) || position < 1 || position > slots) throw new PriceFileError(`${where}: position ${position} outside 1..${slots}`);
        if (Number.isNaN(amount)) throw new PriceFileError(`${where}: position ${position} has no price.amount`);
        prices.set(position, amount);
      }
      if (!prices.has(1)) throw new PriceFileError(`${where}: no price at position 1`);
      let price = 0;
      for (let pos = 1; pos <= slots; pos++) {
        price = prices.get(pos) ?? price;
        const startMs = start + (pos - 1) * minutes * 60_000;
        if (!bySlot.has(startMs)) bySlot.set(startMs, checkPoint({ startMs, minutes, pricePerKwh: price / 1000 }, `${where} position ${pos}`));
      }
    });
  });
  if (bySlot.size === 0) throw new PriceFileError('no TimeSeries with prices in the document');
  return [...bySlot.values()].sort((a, b) => a.startMs - b.startMs);
}
