import { CompiledQuery, type Kysely } from 'kysely';
import { sqlLiteral } from '../write/sql-literal.ts';
import { chunks } from '../write/chunks.ts';

/** A stored M-Bus capture of one device channel. */
export type MbusPoint = { device_id: number; channel: number; captured_at: Date; value: string | number };

/** One device channel and the span of its new captures. */
export interface MbusSpan {
  deviceId: number;
  channel: number;
  from: Date;
  to: Date;
  /** The next capture is looked for up to this time only (history before the oldest kept capture). */
  upTo?: Date;
}

// Channels per statement: keeps each VALUES / OR list small.
const CHUNK = 200;
const key = (deviceId: number, channel: number) => `${deviceId}|${channel}`;

/**
 * For each channel, the nearest stored capture before `from` (or after `to`): one statement per 200 channels,
 * a UNION ALL of `… LIMIT 1` with literal bounds as plain text (each a primary-key range dive; a correlated subquery would walk the channel's rows).
 */
export async function nearestCaptures(db: Kysely<any>, spans: readonly MbusSpan[], side: 'prev' | 'next'): Promise<Map<string, MbusPoint>> {
  const out = new Map<string, MbusPoint>();
  for (const part of chunks(spans, CHUNK)) {
    const selects = part.map((s) => {
      const base = `SELECT device_id, channel, captured_at, value FROM mbus_reading WHERE device_id = ${sqlLiteral(s.deviceId)} AND channel = ${sqlLiteral(s.channel)}`;
      return side === 'prev'
        ? `(${base} AND captured_at < ${sqlLiteral(s.from)} ORDER BY captured_at DESC LIMIT 1)`
        : `(${base} AND captured_at > ${sqlLiteral(s.to)}${s.upTo ? ` AND captured_at <= ${sqlLiteral(s.upTo)}` : ''} ORDER BY captured_at ASC LIMIT 1)`;
    });
    const r = await db.executeQuery<MbusPoint>(CompiledQuery.raw(selects.join(' UNION ALL ')));
    for (const row of r.rows) out.set(key(row.device_id, row.channel), row);
  }
  return out;
}

/** The stored captures inside each channel's [from, to], sorted by time. */
export async function capturesBetween(db: Kysely<any>, spans: readonly MbusSpan[]): Promise<Map<string, MbusPoint[]>> {
  const out = new Map<string, MbusPoint[]>();
  for (const part of chunks(spans, CHUNK)) {
    const ranges = part.map(
      (s) => `(device_id = ${sqlLiteral(s.deviceId)} AND channel = ${sqlLiteral(s.channel)} AND captured_at BETWEEN ${sqlLiteral(s.from)} AND ${sqlLiteral(s.to)})`,
    );
    const r = await db.executeQuery<MbusPoint>(
      CompiledQuery.raw(`SELECT device_id, channel, captured_at, value FROM mbus_reading WHERE ${ranges.join(' OR ')} ORDER BY device_id, channel, captured_at`),
    );
    for (const row of r.rows) {
      const list = out.get(key(row.device_id, row.channel));
      if (list) list.push(row);
      else out.set(key(row.device_id, row.channel), [row]);
    }
  }
  return out;
}
