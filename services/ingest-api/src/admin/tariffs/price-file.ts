/** Reads a dynamic price file: `time,price` CSV, ENTSO-E day-ahead XML, or ENTSO-E's CSV table export. */
import { isEntsoeCsv, parseEntsoeCsv } from './entsoe-csv.parser.ts';
import { isEntsoeXml, parseEntsoeXml } from './entsoe-xml.parser.ts';
import { parseTimePriceCsv } from './price-csv.parser.ts';
import type { PricePoint } from './price-point.ts';

export const PRICE_FORMATS = ['auto', 'csv', 'entsoe-xml', 'entsoe-csv'] as const;
export type PriceFormat = (typeof PRICE_FORMATS)[number];

export interface PriceFileOptions {
  format?: PriceFormat;
  /** Unit of a `time,price` CSV's prices (ENTSO-E files say theirs): per kWh (default) or per MWh. */
  per?: 'kwh' | 'mwh';
}

export function detectPriceFormat(text: string): Exclude<PriceFormat, 'auto'> {
  if (isEntsoeXml(text)) return 'entsoe-xml';
  if (isEntsoeCsv(text)) return 'entsoe-csv';
  return 'csv';
}

export function parsePriceFile(text: string, options: PriceFileOptions = {}): PricePoint[] {
  const format = !options.format || options.format === 'auto' ? detectPriceFormat(text) : options.format;
  if (format === 'entsoe-xml') return parseEntsoeXml(text);
  if (format === 'entsoe-csv') return parseEntsoeCsv(text);
  return parseTimePriceCsv(text, options.per === 'mwh' ? 1000 : 1);
}
