import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ChecksumError, crc16Arc, decodeTelegrams, ProtocolError, type Reading } from '@sem/meter-protocol';
import type { TestDatabase } from '@sem/db/testing';
import { p1Captures } from './fixtures.ts';
import { expectStored } from './stored-reading.ts';
import { addDevice, bearer, openTestDatabase, testApp } from './test-app.ts';

let t: TestDatabase;
let app: FastifyInstance;
beforeAll(async () => {
  t = await openTestDatabase();
  app = await testApp(t, { SEM_RATE_LIMIT_PER_MINUTE: '100000' });
});
afterAll(async () => {
  await app?.close();
  await t?.destroy();
});
beforeEach(async () => t.clear());

const ZONE = 'Europe/Brussels';
const captures = p1Captures();

type Outcome = { readings: Reading[] } | { error: ProtocolError };

function reference(text: string): Outcome {
  try {
    return { readings: decodeTelegrams(text, { timeZone: ZONE }) };
  } catch (err) {
    if (err instanceof ProtocolError) return { error: err };
    throw err;
  }
}

const future = (r: Reading) => r.meterTime !== null && r.meterTime.getTime() > Date.now() + 86_400_000;

/** Independent cross-check against the corpus' own expected values (not our decoder's). */
async function crossCheck(deviceId: number, expected: any, meterTime: Date | null): Promise<void> {
  const obis = expected?.obis ?? {};
  const checks: [string, string, string, number][] = [
    ['1-0:1.8.1', 'kWh', 'energy_import_t1_wh', 1000],
    ['1-0:1.8.2', 'kWh', 'energy_import_t2_wh', 1000],
    ['1-0:32.7.0', 'V', 'voltage_l1_dv', 10],
  ];
  for (const [code, unit, column, scale] of checks) {
    const e = obis[code];
    if (!e || Array.isArray(e) || e.unit !== unit || typeof e.value !== 'string') continue;
    let q = app.db.selectFrom('reading').select(column as 'voltage_l1_dv').where('device_id', '=', deviceId);
    if (meterTime) q = q.where('meter_time', '=', meterTime);
    const row = await q.executeTakeFirst();
    expect(row?.[column as 'voltage_l1_dv'], `${code} from expected.json`).toBe(Math.round(Number(e.value) * scale));
  }
}

describe('every P1 capture through POST /api/v1/telegrams and the dsmr-reader datalogger', () => {
  it('has captures to replay', () => {
    expect(captures.length).toBeGreaterThan(10);
  });

  for (const c of captures) {
    it(c.name, async () => {
      const text = c.bytes.toString('latin1');
      const ref = reference(text);
      const viaText = await addDevice(t, { name: `p1-${c.name}`.slice(0, 90) });
      const viaDsmr = await addDevice(t, { name: `dl-${c.name}`.slice(0, 90) });
      const plain = await app.inject({
        method: 'POST',
        url: '/api/v1/telegrams',
        headers: { ...bearer(viaText.key), 'content-type': 'text/plain' },
        payload: c.bytes,
      });
      // dsmr-reader's datalogger: requests.post(data={'telegram': telegram}, headers={'X-AUTHKEY': key})
      const form = await app.inject({
        method: 'POST',
        url: '/api/v1/datalogger/dsmrreading',
        headers: { 'x-authkey': viaDsmr.key, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ telegram: text }).toString(),
      });
      if ('error' in ref) {
        expect(plain.statusCode, plain.body).toBe(422);
        expect(form.statusCode, form.body).toBe(500);
        if (ref.error instanceof ChecksumError) {
          for (const res of [plain, form]) {
            expect(res.json().error).toMatchObject({ code: 'checksum_mismatch', details: { declared: ref.error.declared, computed: ref.error.computed } });
          }
        }
        expect(await t.db.selectFrom('reading').select('device_id').execute()).toEqual([]);
        return;
      }
      const storable = ref.readings.filter((r) => !future(r));
      if (storable.length === 0) {
        expect(plain.statusCode, plain.body).toBe(422);
        expect(plain.json().error.code).toBe('reading_rejected');
        expect(form.statusCode).toBe(400);
        return;
      }
      expect(plain.statusCode, plain.body).toBe(201);
      expect(form.statusCode, form.body).toBe(201);
      for (const [res, dev] of [[plain, viaText], [form, viaDsmr]] as const) {
        const body = res.json();
        expect(body.results.length).toBe(ref.readings.length);
        expect(body.rejected).toBe(ref.readings.length - storable.length);
        const received = new Date(body.results.find((x: { status: string }) => x.status !== 'rejected').meterTime);
        for (const r of storable) await expectStored(t, dev.id, r, received);
        await crossCheck(dev.id, c.expected, storable[storable.length - 1]!.meterTime);
      }
    });
  }
});

/** A minimal e-MUCS telegram with a valid CRC, meter clock at the given Brussels wall time. */
function telegramAt(wall: string, kwh: string): Buffer {
  const body = `/FLU5\\253769484_A\r\n\r\n0-0:96.1.4(50217)\r\n0-0:1.0.0(${wall}W)\r\n1-0:1.8.1(${kwh}*kWh)\r\n!`;
  const crc = crc16Arc(Buffer.from(body, 'latin1')).toString(16).toUpperCase().padStart(4, '0');
  return Buffer.from(`${body}${crc}\r\n`, 'latin1');
}

describe('POST /api/v1/telegrams errors', () => {
  it('rejects a telegram whose meter clock is more than a day ahead; the others in the body land', async () => {
    const d = await addDevice(t);
    const next = new Date(Date.now() + 3 * 86_400_000);
    const wall = `${String(next.getUTCFullYear() % 100).padStart(2, '0')}${String(next.getUTCMonth() + 1).padStart(2, '0')}${String(next.getUTCDate()).padStart(2, '0')}120000`;
    const body = Buffer.concat([telegramAt('250101120000', '000100.000'), telegramAt(wall, '000101.000')]);
    const res = await app.inject({ method: 'POST', url: '/api/v1/telegrams', headers: { ...bearer(d.key), 'content-type': 'text/plain' }, payload: body });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ accepted: 1, rejected: 1, results: [{ status: 'stored', meterTime: '2025-01-01T11:00:00.000Z' }, { status: 'rejected', code: 'future_time' }] });
    const alone = await app.inject({ method: 'POST', url: '/api/v1/telegrams', headers: { ...bearer(d.key), 'content-type': 'text/plain' }, payload: telegramAt(wall, '000102.000') });
    expect(alone.statusCode).toBe(422);
    expect(alone.json().error.code).toBe('reading_rejected');
    expect(await t.db.selectFrom('reading').select('energy_import_t1_wh').execute()).toEqual([{ energy_import_t1_wh: 100_000 }]);
  });

  it('answers 422 with declared and computed CRC for a telegram with one byte changed', async () => {
    const c = captures.find((x) => x.name === 'dp_fluvius_v171') ?? captures[0]!;
    const d = await addDevice(t);
    const bad = Buffer.from(c.bytes);
    const at = bad.indexOf('1-0:1.8.1(') + 12;
    bad[at] = bad[at] === 0x31 ? 0x32 : 0x31;
    const res = await app.inject({ method: 'POST', url: '/api/v1/telegrams', headers: { ...bearer(d.key), 'content-type': 'text/plain' }, payload: bad });
    expect(res.statusCode).toBe(422);
    const err = res.json().error;
    expect(err.code).toBe('checksum_mismatch');
    expect(err.details.declared).toMatch(/^[0-9A-F]{4}$/);
    expect(err.details.computed).toMatch(/^[0-9A-F]{4}$/);
    expect(err.details.declared).not.toBe(err.details.computed);
  });

  it('answers 415 for JSON, 400 for an empty body and 403 (not 401) to the datalogger with a bad key', async () => {
    const d = await addDevice(t);
    const json = await app.inject({ method: 'POST', url: '/api/v1/telegrams', headers: bearer(d.key), payload: { telegram: 'x' } });
    expect(json.statusCode).toBe(415);
    const empty = await app.inject({ method: 'POST', url: '/api/v1/telegrams', headers: { ...bearer(d.key), 'content-type': 'text/plain' }, payload: '' });
    expect(empty.statusCode).toBe(400);
    const dl = await app.inject({
      method: 'POST',
      url: '/api/v1/datalogger/dsmrreading',
      headers: { authorization: 'Token wrong', 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'telegram=%2F',
    });
    expect(dl.statusCode).toBe(403);
    expect(dl.json().error.code).toBe('forbidden');
    const noField = await app.inject({
      method: 'POST',
      url: '/api/v1/datalogger/dsmrreading',
      headers: { authorization: `Token ${d.key}`, 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'other=1',
    });
    expect(noField.statusCode).toBe(400);
    expect(noField.json().error.details.path).toBe('body/telegram');
  });
});
