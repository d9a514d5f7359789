/** `time,price` CSV: an ISO 8601 time with offset (or Z) per line, then the price; the resolution is the smallest step (15 or 60 min). */
import { checkPoint, parseDecimal, PriceFileError, type PricePoint } from './price-point.ts';

const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

export function parseTimePriceCsv(text: string, divisor: number): PricePoint[] {
  const rows: { startMs: number; price: number; line: number }[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    // ',' separates unless the file uses ';' or tabs (then the price may have a decimal comma).
    const sep = line.includes(';') ? ';' : line.includes('\t') ? '\t' : ',';
    const cells = line.split(sep).map((c) => c.trim().replace(/^"|"$/g, ''));
    if (rows.length === 0 && /^time$/i.test(cells[0] ?? '')) return; // header
    if (cells.length !== 2) throw new PriceFileError(`line ${i + 1}: expected two columns time,price`);
    const [time, price] = cells as [string, string];
    if (!ISO_WITH_ZONE.test(time)) throw new PriceFileError(`line ${i + 1}: time must be ISO 8601 with an offset or Z (got "${time.slice(0, 40)}")`);
    const value = parseDecimal(price);
    if (Number.isNaN(value)) throw new PriceFileError(`line ${i + 1}: price "${price.slice(0, 20)}" is not a number`);
    rows.push({ startMs: Date.parse(time.replace(' ', 'T')), price: value / divisor, line: i + 1 });
  });
  if (rows.length === 0) throw new PriceFileError('no prices in the file');
  rows.sort((a, b) => a.startMs - b.startMs);
  let step = 60;
  for (let i = 1; i < rows.length; i++) {
    const gap = (rows[i]!.startMs - rows[i - 1]!.startMs) / 60_000;
    if (gap === 0) throw new PriceFileError(`line ${rows[i]!.line}: a second price for the same time`);
    if (gap < step) step = gap;
  }
  if (step !== 15 && step !== 60) throw new PriceFileError(`prices must be 15 or 60 minutes apart (smallest step: ${step} min)`);
  return rows.map((r) => checkPoint({ startMs: r.startMs, minutes: step as 15 | 60, pricePerKwh: r.price }, `line ${r.line}`));
}
