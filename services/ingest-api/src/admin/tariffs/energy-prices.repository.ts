/** Dynamic price series in `energy_price`: one row per UTC quarter-hour, upserted (importing twice changes nothing). */
import { sql, type Kysely } from 'kysely';
import type { Database } from '@sem/db';
import { quarters, type PricePoint } from './price-point.ts';

export const SERIES_PATTERN = '^[A-Za-z0-9_.-]{1,32}$';
const BATCH = 1000;

export interface PriceImportSummary {
  series: string;
  quarters: number;
  from: string | null;
  to: string | null;
}

/** Writes the points' quarter-hours in batches, calling `progress(done, total)` after each batch. */
export async function upsertPrices(
  db: Kysely<Database>,
  series: string,
  points: readonly PricePoint[],
  progress: (done: number, total: number) => void = () => {},
): Promise<PriceImportSummary> {
  // Later points win where two cover the same quarter (an hourly and a quarterly series in one file).
  const byQuarter = new Map<number, number>();
  for (const p of points) for (const [at, price] of quarters(p)) byQuarter.set(at, price);
  const rows = [...byQuarter].sort((a, b) => a[0] - b[0]);
  for (let i = 0; i < rows.length; i += BATCH) {
    const part = rows.slice(i, i + BATCH).map(([at, price]) => ({ series, starts_at: new Date(at), price: price.toFixed(6) }));
    await db
      .insertInto('energy_price')
      .values(part)
      .onDuplicateKeyUpdate({ price: sql`VALUES(price)` })
      .execute();
    progress(Math.min(i + BATCH, rows.length), rows.length);
  }
  const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());
  return { series, quarters: rows.length, from: iso(rows[0]?.[0]), to: iso(rows.length ? rows.at(-1)![0] + 900_000 : undefined) };
}

export interface PriceRow {
  startsAt: string;
  price: number;
}

export async function listPrices(db: Kysely<Database>, series: string, fromMs: number, toMs: number, limit: number): Promise<PriceRow[]> {
  const rows = await db
    .selectFrom('energy_price')
    .select(['starts_at', 'price'])
    .where('series', '=', series)
    .where('starts_at', '>=', new Date(fromMs))
    .where('starts_at', '<', new Date(toMs))
    .orderBy('starts_at')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ startsAt: r.starts_at.toISOString(), price: Number(r.price) }));
}
