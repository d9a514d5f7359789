import { describe, expect, it, vi } from 'vitest';
import { ChecksumError, crc16Arc, decodeTelegrams, ProtocolError, type Reading } from '@sem/meter-protocol';
import { corpusAbsent, needsCorpus, p1Captures } from './fixtures.ts';
import { expectReadBack, expectStored } from './stored-reading.ts';
import { p1ExpectedReading } from './capture-expected.ts';
import { addDevice, bearer, useTestApp } from './test-app.ts';

const ctx = useTestApp({ SEM_RATE_LIMIT_PER_MINUTE: '100000' });

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

describe('every P1 capture through POST /api/v1/telegrams and the dsmr-reader datalogger', () => {
  it('has captures to replay', () => {
    expect(captures.length).toBeGreaterThan(10);
  });

  for (const c of captures) {
    it(c.name, async () => {
      const text = c.bytes.toString('latin1');
      const ref = reference(text);
      const viaText = await addDevice(ctx.t, { name: `p1-${c.name}`.slice(0, 90) });
      const viaDsmr = await addDevice(ctx.t, { name: `dl-${c.name}`.slice(0, 90) });
      const plain = await ctx.app.inject({
        method: 'POST',
        url: '/api/v1/telegrams',
        headers: { ...bearer(viaText.key), 'content-type': 'text/plain' },
        payload: c.bytes,
      });
      // dsmr-reader's datalogger: requests.post(data={'telegram': telegram}, headers={'X-AUTHKEY': key})
      const form = await ctx.app.inject({
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
        expect(await ctx.t.db.selectFrom('reading').select('device_id').execute()).toEqual([]);
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
        for (const r of storable) await expectStored(ctx.t, dev.id, r, received);
        // and against the corpus itself: every quantity, M-Bus value, power failure and demand peak
        if (storable.length === 1) await expectStored(ctx.t, dev.id, p1ExpectedReading(c.expected), received);
        // read back through the API: the decoder's values and the corpus' values, exactly
        if (storable.length === 1) {
          await expectReadBack(ctx.app, dev.key, storable[0]!, received);
          await expectReadBack(ctx.app, dev.key, p1ExpectedReading(c.expected), received);
        }
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

/** Python's urlencode (quote_plus), which requests.post(data={...}) uses: only A-Z a-z 0-9 _ . - ~ stay as they are. */
function pythonFormBody(fields: Record<string, string>): string {
  const quote = (s: string) =>
    [...Buffer.from(s, 'utf8')].map((b) => (/[A-Za-z0-9_.~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : b === 0x20 ? '+' : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
  return Object.entries(fields).map(([k, v]) => `${quote(k)}=${quote(v)}`).join('&');
}

describe('dsmr-reader remote datalogger, byte for byte', () => {
  const c = captures.find((x) => x.name === 'dp_fluvius_v171');
  it.skipIf(!c)('stores a CRLF telegram sent as requests.post(data={"telegram": ...}) with X-AUTHKEY, and with Authorization: Token', async () => {
    const telegram = c!.bytes.toString('latin1');
    expect(telegram).toContain('\r\n');
    const body = pythonFormBody({ telegram });
    expect(body.startsWith('telegram=%2FFLU5%5C253769484_A%0D%0A%0D%0A0-0%3A96.1.4%2850217%29%0D%0A')).toBe(true);
    const headers = (auth: Record<string, string>) => ({
      'user-agent': 'python-requests/2.31.0',
      'accept-encoding': 'gzip, deflate',
      accept: '*/*',
      connection: 'keep-alive',
      'content-type': 'application/x-www-form-urlencoded',
      ...auth,
    });
    for (const auth of ['x-authkey', 'token'] as const) {
      await ctx.t.clear();
      const d = await addDevice(ctx.t);
      const res = await ctx.app.inject({
        method: 'POST',
        url: '/api/v1/datalogger/dsmrreading',
        headers: headers(auth === 'x-authkey' ? { 'x-authkey': d.key } : { authorization: `Token ${d.key}` }),
        payload: Buffer.from(body, 'ascii'),
      });
      expect(res.statusCode, res.body).toBe(201);
      await expectStored(ctx.t, d.id, p1ExpectedReading(c!.expected));
    }
  });
});

describe('POST /api/v1/telegrams errors', () => {
  it('rejects a telegram whose meter clock is more than a day ahead; the others in the body land', async () => {
    const d = await addDevice(ctx.t);
    const next = new Date(Date.now() + 3 * 86_400_000);
    const wall = `${String(next.getUTCFullYear() % 100).padStart(2, '0')}${String(next.getUTCMonth() + 1).padStart(2, '0')}${String(next.getUTCDate()).padStart(2, '0')}120000`;
    const body = Buffer.concat([telegramAt('250101120000', '000100.000'), telegramAt(wall, '000101.000')]);
    const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/telegrams', headers: { ...bearer(d.key), 'content-type': 'text/plain' }, payload: body });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ accepted: 1, rejected: 1, results: [{ status: 'stored', meterTime: '2025-01-01T11:00:00.000Z' }, { status: 'rejected', code: 'future_time' }] });
    const alone = await ctx.app.inject({ method: 'POST', url: '/api/v1/telegrams', headers: { ...bearer(d.key), 'content-type': 'text/plain' }, payload: telegramAt(wall, '000102.000') });
    expect(alone.statusCode).toBe(422);
    expect(alone.json().error.code).toBe('reading_rejected');
    expect(await ctx.t.db.selectFrom('reading').select('energy_import_t1_wh').execute()).toEqual([{ energy_import_t1_wh: 100_000 }]);
  });

  const futureCapture = captures.find((x) => x.name === 'dr_edge_future_timestamp');
  it.skipIf(corpusAbsent('dsmr'))(needsCorpus('refuses dr_edge_future_timestamp against the clock dsmr-reader tests it with, with its reason, on both P1 routes', 'dsmr'), async () => {
    // dsmr-reader's test mocks now = 2017-01-01 09:00 (UTC); the telegram says 2017-01-02 12:00 (W) = 11:00 UTC
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2017-01-01T09:00:00Z') });
    try {
      const d = await addDevice(ctx.t);
      const plain = await ctx.app.inject({ method: 'POST', url: '/api/v1/telegrams', headers: { ...bearer(d.key), 'content-type': 'text/plain' }, payload: futureCapture!.bytes });
      expect(plain.statusCode, plain.body).toBe(422);
      const err = plain.json().error;
      expect(err.code).toBe('reading_rejected');
      expect(err.details.results).toEqual([
        expect.objectContaining({ index: 0, status: 'rejected', code: 'future_time', meterTime: '2017-01-02T11:00:00.000Z', message: expect.stringMatching(/more than a day after the receive time 2017-01-01T09:00/) }),
      ]);
      const form = await ctx.app.inject({
        method: 'POST',
        url: '/api/v1/datalogger/dsmrreading',
        headers: { 'x-authkey': d.key, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ telegram: futureCapture!.bytes.toString('latin1') }).toString(),
      });
      expect(form.statusCode, form.body).toBe(400);
      expect(form.json().error.details.results[0].code).toBe('future_time');
      expect(await ctx.t.db.selectFrom('reading').select('device_id').execute()).toEqual([]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('answers 422 with declared and computed CRC for a telegram with one byte changed', async () => {
    const c = captures.find((x) => x.name === 'dp_fluvius_v171') ?? captures[0]!;
    const d = await addDevice(ctx.t);
    const bad = Buffer.from(c.bytes);
    const at = bad.indexOf('1-0:1.8.1(') + 12;
    bad[at] = bad[at] === 0x31 ? 0x32 : 0x31;
    const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/telegrams', headers: { ...bearer(d.key), 'content-type': 'text/plain' }, payload: bad });
    expect(res.statusCode).toBe(422);
    const err = res.json().error;
    expect(err.code).toBe('checksum_mismatch');
    expect(err.details.declared).toMatch(/^[0-9A-F]{4}$/);
    expect(err.details.computed).toMatch(/^[0-9A-F]{4}$/);
    expect(err.details.declared).not.toBe(err.details.computed);
  });

  it('answers 415 for JSON, 400 for an empty body and 403 (not 401) to the datalogger with a bad key', async () => {
    const d = await addDevice(ctx.t);
    const json = await ctx.app.inject({ method: 'POST', url: '/api/v1/telegrams', headers: bearer(d.key), payload: { telegram: 'x' } });
    expect(json.statusCode).toBe(415);
    const empty = await ctx.app.inject({ method: 'POST', url: '/api/v1/telegrams', headers: { ...bearer(d.key), 'content-type': 'text/plain' }, payload: '' });
    expect(empty.statusCode).toBe(400);
    const dl = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/datalogger/dsmrreading',
      headers: { authorization: 'Token wrong', 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'telegram=%2F',
    });
    expect(dl.statusCode).toBe(403);
    expect(dl.json().error.code).toBe('forbidden');
    const noField = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/datalogger/dsmrreading',
      headers: { authorization: `Token ${d.key}`, 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'other=1',
    });
    expect(noField.statusCode).toBe(400);
    expect(noField.json().error.details.path).toBe('body/telegram');
  });
});
