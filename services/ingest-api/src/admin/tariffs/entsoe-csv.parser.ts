/**
 * The ENTSO-E Transparency Platform's table export of day-ahead prices: a header naming an "MTU" column
 * (in CET/CEST or UTC) and a "Day-ahead Price [EUR/MWh]" column; an MTU is "start - end" as
 * DD.MM.YYYY HH:mm or DD/MM/YYYY HH:mm:ss, maybe followed by (CET) or (CEST). Empty, "-" and "n/e" prices are skipped.
 */
import { zoneWallTime } from '@sem/meter-protocol';
import { checkPoint, parseDecimal, PriceFileError, type PricePoint } from './price-point.ts';

const CET_ZONE = 'Europe/Brussels';
const H = 3_600_000;
const MTU = /^(\d{2})[./](\d{2})[./](\d{4}) (\d{2}):(\d{2})(?::\d{2})?\s*(?:\((CET|CEST|UTC)\))?\s*-\s*(\d{2})[./](\d{2})[./](\d{4}) (\d{2}):(\d{2})(?::\d{2})?\s*(?:\((CET|CEST|UTC)\))?$/;

function splitCsvLine(line: string, sep: string): string[] {
  const cells: string[] = [];
  let cur = '';
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (ch === sep && !quoted) {
      cells.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  cells.push(cur.trim());
  return cells;
}

export function isEntsoeCsv(text: string): boolean {
  const head = text.slice(0, 1000).split(/\r?\n/)[0] ?? '';
  return /MTU/i.test(head) && /price/i.test(head);
}

/** The UTC instant of a CET/CEST wall time; `after` resolves the repeated autumn hour when no (CET)/(CEST) mark says. */
function cetInstant(wallMs: number, mark: string | undefined, after: number): number | undefined {
  const candidates = [wallMs - 2 * H, wallMs - H].filter((c) => zoneWallTime(c, CET_ZONE).offsetMs === wallMs - c);
  if (mark === 'CEST') return candidates.find((c) => wallMs - c === 2 * H);
  if (mark === 'CET') return candidates.find((c) => wallMs - c === H);
  return candidates.find((c) => c > after) ?? candidates[0];
}

export function parseEntsoeCsv(text: string): PricePoint[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = lines[0] ?? '';
  const sep = header.includes('\t') ? '\t' : header.includes(';') && !header.includes(',') ? ';' : ',';
  const cols = splitCsvLine(header, sep);
  const mtuCol = cols.findIndex((c) => /MTU/i.test(c));
  const priceCol = cols.findIndex((c) => /day-ahead/i.test(c) && /price/i.test(c));
  if (mtuCol < 0 || priceCol < 0) throw new PriceFileError('header needs an MTU column and a Day-ahead Price column');
  const unit = /\[(\w+)\/(\w+)\]|\((\w+)\/(\w+)\)/.exec(cols[priceCol]!);
  const perUnit = (unit?.[2] ?? unit?.[4] ?? 'MWh').toLowerCase();
  if (perUnit !== 'mwh' && perUnit !== 'kwh') throw new PriceFileError(`prices per ${perUnit}: expected MWh or kWh`);
  const divisor = perUnit === 'mwh' ? 1000 : 1;
  const utc = /\bUTC\b/i.test(cols[mtuCol]!);
  const out: PricePoint[] = [];
  let last = -Infinity;
  for (let i = 1; i < lines.length; i++) {
    const cells = splitCsvLine(lines[i]!, sep);
    const price = (cells[priceCol] ?? '').trim();
    if (price === '' || price === '-' || /^n\/e$/i.test(price)) continue;
    const m = MTU.exec((cells[mtuCol] ?? '').trim());
    if (!m) throw new PriceFileError(`line ${i + 1}: MTU "${(cells[mtuCol] ?? '').slice(0, 60)}" is not "start - end"`);
    const wall = (d: number) => Date.UTC(Number(m[d + 2]), Number(m[d + 1]) - 1, Number(m[d]), Number(m[d + 3]), Number(m[d + 4]));
    const [startWall, endWall] = [wall(1), wall(7)];
    const start = utc ? startWall : cetInstant(startWall, m[6], last);
    if (start === undefined) throw new PriceFileError(`line ${i + 1}: ${m[0]} does not exist in CET/CEST`);
    // Exports write the autumn's repeated hour as "02:00 - 03:00" and may write the spring gap as "01:00 - 03:00".
    let minutes = (endWall - startWall) / 60_000;
    if (!utc && minutes !== 15 && minutes !== 60) {
      const end = cetInstant(endWall, m[12], start);
      if (end !== undefined) minutes = (end - start) / 60_000;
    }
    if (minutes !== 15 && minutes !== 60) throw new PriceFileError(`line ${i + 1}: MTU of ${minutes} minutes (15 or 60 expected)`);
    const value = parseDecimal(price);
    if (Number.isNaN(value)) throw new PriceFileError(`line ${i + 1}: price "${price.slice(0, 20)}" is not a number`);
    out.push(checkPoint({ startMs: start, minutes, pricePerKwh: value / divisor }, `line ${i + 1}`));
    last = start;
  }
  if (out.length === 0) throw new PriceFileError('no prices in the file');
  return out;
}
