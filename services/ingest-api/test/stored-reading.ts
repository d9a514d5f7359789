import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import type { Reading } from '@sem/meter-protocol';
import { QUANTITY_COLUMNS, toStored, toStoredRest } from '@sem/db';
import type { TestDatabase } from '@sem/db/testing';

type TestDatabaseLike = Pick<TestDatabase, 'db'>;

/** Asserts that the row stored for this reading holds exactly its values, and its M-Bus/events rows exist. */
export async function expectStored(t: TestDatabaseLike, deviceId: number, r: Reading, fallbackTime?: Date): Promise<void> {
  const time = r.meterTime ?? fallbackTime;
  let q = t.db.selectFrom('reading').selectAll().where('device_id', '=', deviceId);
  if (time) q = q.where('meter_time', '=', time);
  const rows = await q.execute();
  expect(rows.length, `row for ${time?.toISOString()}`).toBe(1);
  const row = rows[0]! as Record<string, unknown>;
  for (const [name, spec] of Object.entries(QUANTITY_COLUMNS)) {
    const v = r.values[name as keyof typeof r.values];
    expect(row[spec.column], name).toBe(v === undefined ? null : toStored(name as never, v));
    const rest = (spec as { rest?: { column: string } }).rest;
    if (rest) expect(row[rest.column], `${name} rest`).toBe(v === undefined ? null : toStoredRest(name as never, v));
  }
  for (const m of r.mbus.filter((x) => x.value !== null)) {
    const captured = m.capturedAt ?? row.meter_time;
    const mrow = await t.db
      .selectFrom('mbus_reading')
      .selectAll()
      .where('device_id', '=', deviceId)
      .where('channel', '=', m.channel)
      .where('captured_at', '=', captured as Date)
      .executeTakeFirst();
    expect(mrow, `mbus channel ${m.channel}`).toBeDefined();
    expect(Number(mrow!.value)).toBeCloseTo(m.value!, 4);
  }
  for (const e of r.powerFailureLog.filter((x) => x.endedAt !== null)) {
    const erow = await t.db.selectFrom('power_failure_event').selectAll().where('device_id', '=', deviceId).where('ended_at', '=', e.endedAt!).executeTakeFirst();
    expect(erow?.duration_s).toBe(Math.round(e.durationS));
  }
  for (const p of [...(r.demandMonthPeak ? [r.demandMonthPeak] : []), ...r.demandPeakHistory].filter((x) => x.at !== null)) {
    const prow = await t.db.selectFrom('demand_peak').selectAll().where('device_id', '=', deviceId).where('peak_at', '=', p.at!).executeTakeFirst();
    expect(prow?.demand_w).toBe(Math.round(p.kw * 1000));
  }
  for (const o of r.raw) {
    const orow = await t.db.selectFrom('raw_object').select('value').where('device_id', '=', deviceId).where('obis', '=', o.obis.slice(0, 32)).execute();
    expect(orow.map((x) => x.value)).toContain(o.value);
  }
}

/**
 * Reads the reading back through GET /api/v1/readings (raw) and asserts every quantity equals the
 * reading's value exactly, and that the answer carries no quantity the reading lacks.
 */
export async function expectReadBack(app: FastifyInstance, key: string, r: Reading, fallbackTime?: Date): Promise<void> {
  const time = r.meterTime ?? fallbackTime;
  if (!time) throw new Error('expectReadBack needs the reading time');
  const to = new Date(time.getTime() + 1);
  const res = await app.inject({ method: 'GET', url: `/api/v1/readings?from=${time.toISOString()}&to=${to.toISOString()}`, headers: { authorization: `Bearer ${key}` } });
  expect(res.statusCode, res.body).toBe(200);
  const rows = res.json().readings as Record<string, unknown>[];
  expect(rows.length, `one reading at ${time.toISOString()}`).toBe(1);
  const { time: _time, ...values } = rows[0]!;
  expect(values).toEqual(r.values);
}
