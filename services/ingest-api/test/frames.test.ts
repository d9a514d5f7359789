import { describe, expect, it } from 'vitest';
import { ChecksumError, decodeFrames, emptyReading, ProtocolError, type Reading } from '@sem/meter-protocol';
import { expectedMeterTime, expectedValues, optionsFor } from '@sem/meter-protocol/testing';
import { corpusAbsent, hanCaptures, hanNegativeCaptures, needsCorpus } from './fixtures.ts';
import { expectReadBack, expectStored } from './stored-reading.ts';
import { jsonBody } from './json-client.ts';
import { addDevice, bearer, useTestApp } from './test-app.ts';

const ctx = useTestApp({ SEM_RATE_LIMIT_PER_MINUTE: '100000' });

const ZONE = 'Europe/Oslo';
const captures = hanCaptures();

/** Device settings a capture needs: its published keys, and SE for the Swedish Kamstrup that counts Wh. */
function deviceFor(expected: any): { hanEncryptionKey?: string; hanAuthenticationKey?: string; country: 'NO' | 'SE' } {
  const o = optionsFor({ expected });
  const hex = (k: Uint8Array | undefined) => (k ? Buffer.from(k).toString('hex') : undefined);
  return {
    country: o.kamstrupEnergyScaler === 0 ? 'SE' : 'NO',
    ...(o.encryptionKey ? { hanEncryptionKey: hex(o.encryptionKey) } : {}),
    ...(o.authenticationKey ? { hanAuthenticationKey: hex(o.authenticationKey) } : {}),
  };
}

function reference(bytes: Uint8Array, expected: any): { readings: Reading[] } | { error: ProtocolError } {
  try {
    return { readings: decodeFrames(bytes, { timeZone: ZONE, ...optionsFor({ expected }) }) };
  } catch (err) {
    if (err instanceof ProtocolError) return { error: err };
    throw err;
  }
}

/** What expected.json itself says was sent: every mapped quantity and the meter clock (not our decoder's output). */
function corpusReading(expected: any): Reading | null {
  if (!expected?.decoded?.obis) return null;
  const time = expectedMeterTime({ expected });
  return { ...emptyReading('han'), meterTime: time === null ? null : new Date(time), values: expectedValues({ expected }) };
}

describe('every HAN capture through POST /api/v1/frames, as bytes and as hex text', () => {
  it.skipIf(corpusAbsent('han'))(needsCorpus('has more than 10 captures to replay', 'han'), () => expect(captures.length).toBeGreaterThan(10));

  for (const c of captures) {
    it(c.name, async () => {
      const settings = deviceFor(c.expected);
      const ref = reference(c.bytes, c.expected);
      const asBytes = await addDevice(ctx.t, { name: `bin-${c.name}`, timeZone: ZONE, ...settings });
      const asHex = await addDevice(ctx.t, { name: `hex-${c.name}`, timeZone: ZONE, ...settings });
      const bin = await ctx.app.inject({
        method: 'POST',
        url: '/api/v1/frames',
        headers: { ...bearer(asBytes.key), 'content-type': 'application/octet-stream' },
        payload: c.bytes,
      });
      const hex = await ctx.app.inject({
        method: 'POST',
        url: '/api/v1/frames',
        headers: { ...bearer(asHex.key), 'content-type': 'text/plain' },
        payload: c.bytes.toString('hex').replace(/(.{64})/g, '$1\n'),
      });
      if ('error' in ref) {
        for (const res of [bin, hex]) {
          expect(res.statusCode, res.body).toBe(422);
          if (ref.error instanceof ChecksumError) {
            expect(res.json().error.details).toMatchObject({ declared: ref.error.declared, computed: ref.error.computed });
          }
        }
        return;
      }
      for (const [res, dev] of [[bin, asBytes], [hex, asHex]] as const) {
        expect(res.statusCode, res.body).toBe(201);
        const body = res.json();
        // Every frame is its own reading, also those without a clock (keyed receive time + position in ms).
        expect(body.accepted + body.merged).toBe(ref.readings.length);
        const keys = body.results.map((x: { meterTime: string }) => new Date(x.meterTime));
        const timeless = keys.filter((_: Date, i: number) => ref.readings[i]!.meterTime === null);
        expect(timeless.map((k: Date) => k.getTime() - timeless[0].getTime())).toEqual(timeless.map((_: Date, i: number) => i));
        for (const [i, r] of ref.readings.entries()) await expectStored(ctx.t, dev.id, r, keys[i]);
        const received = keys[0];
        const corpus = corpusReading(c.expected);
        if (corpus) await expectStored(ctx.t, dev.id, corpus, received);
        // read back through the API: the decoder's values and the corpus' values, exactly
        for (const [i, r] of ref.readings.entries()) await expectReadBack(ctx.app, dev.key, r, keys[i]);
        if (corpus && ref.readings.length === 1) await expectReadBack(ctx.app, dev.key, corpus, received);
      }
    });
  }

  it('stores every clockless frame of one body as its own reading, a millisecond apart in body order', async () => {
    const c = captures.find((x) => { const ref = reference(x.bytes, x.expected); return 'readings' in ref && ref.readings.length === 1 && ref.readings[0]!.meterTime === null; });
    expect(c, 'a capture without meter clock (Aidon list 1)').toBeDefined();
    const d = await addDevice(ctx.t, { timeZone: ZONE, ...deviceFor(c!.expected) });
    const body = Buffer.concat([c!.bytes, c!.bytes, c!.bytes]);
    const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/frames', headers: { ...bearer(d.key), 'content-type': 'application/octet-stream' }, payload: body });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ accepted: 3, merged: 0, duplicates: 0 });
    const rows = await ctx.t.db.selectFrom('reading').select(['meter_time', 'received_at']).where('device_id', '=', d.id).orderBy('meter_time').execute();
    expect(rows.map((r) => r.meter_time.getTime() - r.received_at.getTime())).toEqual([0, 1, 2]);
  });

  it.skipIf(corpusAbsent('han'))(needsCorpus('refuses an encrypted frame with a wrong key (422) and never returns the key', 'han'), async () => {
    const c = captures.find((x) => deviceFor(x.expected).hanEncryptionKey);
    expect(c).toBeDefined();
    const d = await addDevice(ctx.t, { hanEncryptionKey: '00112233445566778899aabbccddeeff', hanAuthenticationKey: 'c0c1c2c3c4c5c6c7c8c9cacbcccdcecf' });
    const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/frames', headers: { ...bearer(d.key), 'content-type': 'application/octet-stream' }, payload: c!.bytes });
    expect(res.statusCode).toBe(422);
    expect(res.json().error.code).toBe('decryption_failed');
    expect(res.body).not.toContain('00112233445566778899aabbccddeeff');
  });
});

describe('every decodable HAN capture as JSON (a reader that decodes the frame itself)', () => {
  const decodable = captures.flatMap((c) => {
    const ref = reference(c.bytes, c.expected);
    const corpus = corpusReading(c.expected);
    return 'readings' in ref && ref.readings.length === 1 && corpus ? [{ ...c, reading: ref.readings[0]!, corpus }] : [];
  });
  it.skipIf(corpusAbsent('han'))(needsCorpus('has more than 10 captures to replay', 'han'), () => expect(decodable.length).toBeGreaterThan(10));

  for (const c of decodable) {
    it(`${c.name} via POST /api/v1/readings`, async () => {
      const d = await addDevice(ctx.t, { name: `json-${c.name}`, timeZone: ZONE, country: 'NO' });
      const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/readings', headers: bearer(d.key), payload: jsonBody(c.reading) });
      expect(res.statusCode, res.body).toBe(201);
      expect(res.json()).toMatchObject({ accepted: 1, rejected: 0 });
      await expectStored(ctx.t, d.id, c.corpus, new Date(res.json().results[0].meterTime));
      await expectReadBack(ctx.app, d.key, c.corpus, new Date(res.json().results[0].meterTime));
    });
  }
});

describe('negative HAN captures', () => {
  it.skipIf(corpusAbsent('han'))(needsCorpus('has negative captures to replay', 'han'), () => expect(hanNegativeCaptures().length).toBeGreaterThan(0));
  for (const c of hanNegativeCaptures()) {
    it(`${c.name} is refused with 422 and nothing stored`, async () => {
      const d = await addDevice(ctx.t);
      const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/frames', headers: { ...bearer(d.key), 'content-type': 'application/octet-stream' }, payload: c.bytes });
      expect(res.statusCode, res.body).toBe(422);
      expect(['checksum_mismatch', 'invalid_frame', 'unsupported_input']).toContain(res.json().error.code);
      if (res.json().error.code === 'checksum_mismatch') {
        expect(res.json().error.details.declared).not.toBe(res.json().error.details.computed);
      }
      expect(await ctx.t.db.selectFrom('reading').select('device_id').execute()).toEqual([]);
    });
  }

  it('answers 400 with the path for hex text that is not hex', async () => {
    const d = await addDevice(ctx.t);
    const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/frames', headers: { ...bearer(d.key), 'content-type': 'text/plain' }, payload: '7e a0 zz 7e' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details.path).toBe('body');
  });
});
