/**
 * Literal hostile clocks on the HTTP entry points (JSON `time`, M-Bus `capturedAt`, P1 telegram time over
 * /telegrams and dsmr-reader's route, HAN frame clock): 1970, year 9999, year 0050 and a calendar-invalid
 * date. JSON and M-Bus times are refused with 422 and a reason; a P1 or HAN clock the decoder reads as unset or
 * impossible is no clock, so the reading is stored at its receive time and flagged: its result item says
 * `meter_clock_unset` naming the clock sent, and sem_readings_meter_clock_unset_total{source} counts it
 * (db/docs/storage.md "Meter times"); a telegram without a clock (DSMR 2.2) is not flagged.
 * Never a 5xx, never stored under the date the meter sent. (Here because the real HAN frames come from the device simulator's replayer.)
 */
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDatabase } from '@sem/db/testing';
import { HanReplayer } from '@sem/device-sim';
import { HAN_TEMPLATE, telegramAt, utc } from './support/hostile-clocks.ts';
import { addDevice, httpApp, openTestDatabase, type TestDevice } from './support/mqtt-stack.ts';

describe('hostile clocks on every HTTP entry point', () => {
  let t: TestDatabase;
  let app: FastifyInstance;
  let device: TestDevice;

  beforeAll(async () => {
    t = await openTestDatabase();
    await t.clear();
    device = await addDevice(t, { name: 'hostile-clock', country: 'NO', timeZone: 'Europe/Oslo' });
    app = await httpApp(t, { SEM_RATE_LIMIT_PER_MINUTE: '100000' });
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await t?.destroy();
  });

  const post = (url: string, payload: string | Buffer | object, headers: Record<string, string>) => app.inject({ method: 'POST', url, payload, headers: { authorization: `Bearer ${device.key}`, ...headers } });
  /** The status, and the reason: the refused reading's code, else the error code. */
  const answer = (res: { statusCode: number; json(): any }) => {
    const body = res.json();
    return { status: res.statusCode, reason: body.error?.details?.results?.[0]?.code ?? body.results?.[0]?.code ?? body.error?.code };
  };
  const storedRows = async () => t.db.selectFrom('reading').select('meter_time').where('device_id', '=', device.id).execute();
  const json = { 'content-type': 'application/json' };
  /** The engine's count of readings stored with an unset meter clock, for one source. */
  const unsetClocks = async (source: string) => {
    const metric = await app.metrics.registry.getSingleMetric('sem_readings_meter_clock_unset_total')?.get();
    return metric?.values.find((v) => v.labels['source'] === source)?.value ?? 0;
  };

  it('JSON reading time', async () => {
    const cases: [string, string][] = [
      ['1970-01-01T00:00:00Z', 'implausible_time'],
      ['9999-12-31T23:59:59Z', 'future_time'],
      ['0050-06-01T00:00:00Z', 'implausible_time'],
      ['2026-02-30T12:00:00Z', 'invalid_time'],
    ];
    for (const [time, reason] of cases) {
      expect(answer(await post('/api/v1/readings', { time, powerImportW: 100, energyImportKwh: 1 }, json)), time).toEqual({ status: 422, reason });
    }
    expect(await storedRows()).toEqual([]);
  });

  it('M-Bus capturedAt on an otherwise valid reading', async () => {
    const cases: [string, string][] = [
      ['1970-01-01T00:00:00Z', 'implausible_time'],
      ['9999-12-31T23:59:59Z', 'future_time'],
      ['0050-06-01T00:00:00Z', 'implausible_time'],
      ['2026-13-45T25:61:61Z', 'invalid_time'],
    ];
    for (const [capturedAt, reason] of cases) {
      const reading = { time: new Date(Date.now() - 60_000).toISOString(), energyImportKwh: 1, mbus: [{ channel: 1, value: 5, unit: 'm3', deviceType: 3, capturedAt }] };
      expect(answer(await post('/api/v1/readings', reading, json)), capturedAt).toEqual({ status: 422, reason });
    }
    expect(await storedRows()).toEqual([]);
    expect(await t.db.selectFrom('mbus_reading').selectAll().execute()).toEqual([]);
  });

  /**
   * P1 and HAN: a clock the decoder reads as unset or impossible is no clock (packages/meter-protocol: P1 years 00
   * and 70+, calendar-invalid dates; HAN dates outside the window): the reading is stored as clockless, at its
   * receive time, and flagged with the clock it sent (db/docs/storage.md "Meter times"), never under that date.
   */
  async function storedAtReceiveTime(what: string, sent: string | RegExp | null, source: string, send: () => Promise<{ statusCode: number; body: string; json(): any }>) {
    const counted = await unsetClocks(source);
    const before = Date.now();
    const res = await send();
    const after = Date.now();
    expect(res.statusCode, `${what}: ${res.body}`).toBe(201);
    const item = res.json().results[0];
    if (sent === null) expect(item, what).toEqual({ index: 0, status: 'stored', meterTime: expect.any(String) });
    else {
      expect(item, what).toEqual({ index: 0, status: 'stored', meterTime: expect.any(String), code: 'meter_clock_unset', message: typeof sent === 'string' ? expect.stringContaining(`"${sent}"`) : expect.stringMatching(sent) });
    }
    expect(await unsetClocks(source), `${what}: counted`).toBe(counted + (sent === null ? 0 : 1));
    const rows = await t.db.selectFrom('reading').select('meter_time').where('device_id', '=', device.id).where('meter_time', '>=', new Date(before - 1000)).execute();
    expect(rows.length, `${what}: ${res.body}`).toBe(1);
    expect(rows[0]!.meter_time.getTime(), what).toBeLessThanOrEqual(after + 1000);
    await t.db.deleteFrom('reading').where('device_id', '=', device.id).execute();
    return item as { message: string };
  }

  it('P1 telegram time, over /api/v1/telegrams and dsmr-reader\'s route', async () => {
    // DSMR years have two digits (20YY): 70 would be 2070 (the 1970 epoch sentinel), 99 2099, 00 the unset clock's 2000-01-01.
    for (const clock of ['700101000000W', '991231235959W', '000101000000W', '261345256161W']) {
      const telegram = telegramAt(clock);
      await storedAtReceiveTime(`${clock} /api/v1/telegrams`, clock, 'p1', () => post('/api/v1/telegrams', telegram, { 'content-type': 'text/plain', 'idempotency-key': `t-${clock}` }));
      await storedAtReceiveTime(`${clock} dsmr-reader`, clock, 'dsmr-reader', () =>
        app.inject({
          method: 'POST',
          url: '/api/v1/datalogger/dsmrreading',
          headers: { 'x-authkey': device.key, 'content-type': 'application/x-www-form-urlencoded' },
          payload: `telegram=${encodeURIComponent(telegram)}`,
        }),
      );
    }
    // A clock the decoder reads as a date, but outside the window: refused like JSON's.
    expect(answer(await post('/api/v1/telegrams', telegramAt('691231235959W'), { 'content-type': 'text/plain' }))).toEqual({ status: 422, reason: 'future_time' });
    expect(await storedRows()).toEqual([]);
  });

  it('a telegram without a clock (DSMR 2.2 capture) is stored at receive time, not flagged', async () => {
    const dsmr22 = readFileSync(new URL('../../../packages/meter-protocol/fixtures/dsmr/dp_v2_2_iskra.txt', import.meta.url), 'latin1');
    await storedAtReceiveTime('DSMR 2.2', null, 'p1', () => post('/api/v1/telegrams', dsmr22, { 'content-type': 'text/plain' }));
  });

  it('HAN frame clock', async () => {
    const replayer = new HanReplayer([HAN_TEMPLATE], { zone: 'Europe/Oslo', kwhPerUnit: () => 0.001 });
    const list = replayer.lists[0]!;
    for (const at of [utc(1970, 1, 1, 12), utc(9999, 12, 31, 12), utc(50, 6, 1, 12)]) {
      const frame = Buffer.from(replayer.next(list, at));
      // the message names the data-notification's date-time as sent: 12 bytes in hex, found in the frame
      const item = await storedAtReceiveTime(new Date(at).toISOString(), /"[0-9a-f]{24}"/, 'han', () => post('/api/v1/frames', frame, { 'content-type': 'application/octet-stream', 'idempotency-key': `f-${at}` }));
      expect(frame.toString('hex')).toContain(/"([0-9a-f]{24})"/.exec(item.message)![1]);
    }
    // A clock the decoder reads as a date, but outside the window: refused like JSON's.
    const ahead = Buffer.from(replayer.next(list, utc(2150, 6, 1, 12)));
    expect(answer(await post('/api/v1/frames', ahead, { 'content-type': 'application/octet-stream' }))).toEqual({ status: 422, reason: 'future_time' });
    expect(await storedRows()).toEqual([]);
  });
});
