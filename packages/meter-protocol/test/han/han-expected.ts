/**
 * The test's own reading of a HAN capture's expected.json: which quantity each OBIS value is, the
 * decode options it needs, and the UTC meter time per vendor. Shared by the protocol tests and the
 * ingest API's capture tests (which check stored rows against the corpus, not the decoder).
 */
import type { HanDecodeOptions } from '../../src/dlms/han-decoder.ts';
import type { QuantityName } from '../../src/reading.ts';
import type { HanFixture } from './han-fixture-files.ts';

/** C.D.E → quantity, and whether the expected value (W/Wh units) must be divided by 1000. */
export const QUANTITY: Record<string, [QuantityName, boolean]> = {
  '1.7.0': ['powerImportW', false],
  '2.7.0': ['powerExportW', false],
  '3.7.0': ['powerReactiveImportVar', false],
  '4.7.0': ['powerReactiveExportVar', false],
  '31.7.0': ['currentL1A', false],
  '51.7.0': ['currentL2A', false],
  '71.7.0': ['currentL3A', false],
  '32.7.0': ['voltageL1V', false],
  '52.7.0': ['voltageL2V', false],
  '72.7.0': ['voltageL3V', false],
  '1.8.0': ['energyImportKwh', true],
  '2.8.0': ['energyExportKwh', true],
  '3.8.0': ['energyReactiveImportKvarh', true],
  '4.8.0': ['energyReactiveExportKvarh', true],
};

function fromHex(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

/** Options a capture needs: published keys, and the per-meter Kamstrup energy scaler its JSON says was overridden. */
export function optionsFor(f: Pick<HanFixture, 'expected'>): HanDecodeOptions {
  const o: HanDecodeOptions = {};
  const enc = f.expected?.encryption;
  if (enc?.encryption_key) o.encryptionKey = fromHex(enc.encryption_key);
  if (enc?.authentication_key) o.authenticationKey = fromHex(enc.authentication_key);
  for (const e of Object.values<any>(f.expected?.decoded?.obis ?? {})) {
    if (String(e.scaler_source ?? '').includes('overridden') && e.unit === 'Wh') o.kamstrupEnergyScaler = e.scaler;
  }
  return o;
}

/** Europe/Oslo (EU rule): CEST from the last Sunday of March 01:00 UTC to the last Sunday of October 01:00 UTC. */
export function osloLocalToUtc(local: string): string {
  const t = Date.parse(`${local}Z`);
  const year = new Date(t).getUTCFullYear();
  const lastSunday = (month: number) => {
    const d = new Date(Date.UTC(year, month + 1, 0, 1));
    return d.getTime() - d.getUTCDay() * 86_400_000;
  };
  const summer = (utc: number) => utc >= lastSunday(2) && utc < lastSunday(9);
  const utc = summer(t - 2 * 3600_000) ? t - 2 * 3600_000 : t - 3600_000;
  return new Date(utc).toISOString();
}

/**
 * The UTC instant we expect, per vendor (see docs/han-meter-clocks.md):
 * Aidon: local wall time incl. DST, deviation ignored (it reads +60 in summer, 0 in winter, so it is
 * not a Blue Book deviation). Kamstrup: CET all year (clock_note, amsreader PR #1227).
 * Others: the Blue Book deviation when given, else local wall time.
 */
export function expectedMeterTime(f: Pick<HanFixture, 'expected'>): string | null {
  const d = f.expected.decoded;
  const clock = d.meter_clock ?? f.expected.apdu?.datetime ?? null;
  if (!clock) return null;
  if (d.vendor === 'Kamstrup') return new Date(Date.parse(`${clock.local}Z`) - 3600_000).toISOString();
  if (d.vendor !== 'Aidon' && clock.deviation_min !== null) return new Date(clock.utc_if_bluebook_deviation).toISOString();
  return osloLocalToUtc(clock.local);
}

/** The quantities expected.json's decoded section gives, in the normalized reading's units. */
export function expectedValues(f: Pick<HanFixture, 'expected'>): Partial<Record<QuantityName, number>> {
  const values: Partial<Record<QuantityName, number>> = {};
  for (const [code, e] of Object.entries<any>(f.expected?.decoded?.obis ?? {})) {
    const m = /^1-[01]:(\d+\.\d+\.\d+)\.255$/.exec(code);
    const q = m ? QUANTITY[m[1]!] : undefined;
    if (q) values[q[0]] = q[1] ? e.value / 1000 : e.value;
  }
  return values;
}
