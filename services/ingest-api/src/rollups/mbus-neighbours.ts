import { type Kysely, sql } from 'kysely';
import { chunks } from '../write/write-steps.ts';

/** A stored M-Bus capture of one device channel. */
export type MbusPoint = { device_id: number; channel: number; captured_at: Date; value: string | number };

/** One device channel and the span of its new captures. */
export interface MbusSpan {
  deviceId: number;
  channel: number;
  from: Date;
  to: Date;
}

// Channels per statement: keeps each VALUES / OR list small.
const CHUNK = 200;
const key = (deviceId: number, channel: number) => `${deviceId}|${channel}`;

/**
 * For each channel, the nearest stored capture before `from` (or after `to`): one statement per 200 channels,
 * a UNION ALL of `… LIMIT 1` with literal bounds (each a primary-key range dive; a correlated subquery would walk the channel's rows).
 */
export async function nearestCaptures(db: Kysely<any>, spans: readonly MbusSpan[], side: 'prev' | 'next'): Promise<Map<string, MbusPoint>> {
  const out = new Map<string, MbusPoint>();
  for (const part of chunks(spans, CHUNK)) {
    const selects = part.map((s) => {
      const base = sql`SELECT device_id, channel, captured_at, value FROM mbus_reading WHERE device_id = ${s.deviceId} AND channel = ${s.channel}`;
      return side === 'prev'
        ? sql`(${base} AND captured_at < ${s.from} ORDER BY captured_at DESC LIMIT 1)`
        : sql`(${base} AND captured_at > ${s.to} ORDER BY captured_at ASC LIMIT 1)`;
    });
    const r = await sql<MbusPoint>`${sql.join(selects, sql` UNION ALL `)}`.execute(db);
    for (const row of r.rows) out.set(key(row.device_id, row.channel), row);
  }
  return out;
}

/** The stored captures inside each channel's [from, to], sorted by time. */
export async function capturesBetween(db: Kysely<any>, spans: readonly MbusSpan[]): Promise<Map<string, MbusPoint[]>> {
  const out = new Map<string, MbusPoint[]>();
  for (const part of chunks(spans, CHUNK)) {
    const ranges = part.map((s) => sql`(device_id = ${s.deviceId} AND channel = ${s.channel} AND captured_at BETWEEN ${s.from} AND ${s.to})`);
    const r = await sql<MbusPoint>`
      SELECT device_id, channel, captured_at, value FROM mbus_reading WHERE ${sql.join(ranges, sql` OR `)} ORDER BY device_id, channel, captured_at`.execute(db);
    for (const row of r.rows) {
      const list = out.get(key(row.device_id, row.channel));
      if (list) list.push(row);
      else out.set(key(row.device_id, row.channel), [row]);
    }
  }
  return out;
}
