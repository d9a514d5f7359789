/**
 * Physics over every capture that carries the quantities: what a decoder reads must be electricity.
 *
 * Apparent power. With phase voltages U, currents I and total active/reactive power P, Q (import
 * minus export), |S| = sqrt(P² + Q²) can never exceed Σ U·|I|: each phase's |S_p| = U_p·I_p and
 * |ΣS_p| ≤ Σ|S_p|. Tolerance: each current counts with one step of the resolution it was sent in
 * (a meter rounds down 0.4 A to 0) plus 2 % and 10 VA for the power's own rounding and the meter
 * averaging V, I and P over slightly different windows. Upper side: Σ U·|I| may exceed |S| (unbalanced
 * phases, poor power factor at low load), but not by more than 3× |S| + 100 VA; a scaler off by ten
 * (the Kamstrup CT case below) lands far outside that.
 *
 * |S| is the larger of sqrt(P² + Q²) and Σ|P_p| over the phases (a phase exporting while another
 * imports cancels in P but not in Σ U·I).
 *
 * Registers. Within a capture series (one source file or numbered series, one equipment id; test
 * suites reuse dummy ids such as 1234… for unrelated meters), ordered by meter time, no cumulative
 * energy register ever decreases.
 *
 * Left out, on purpose: specification examples (their numbers are invented) and encrypted captures
 * whose key is not public.
 */
import { describe, expect, it } from 'vitest';
import { decodeFrame, decodeTelegrams, type Reading } from '../src/index.ts';
import { expectPhysical, powerCheck } from './physics-checks.ts';
import { decodableCaptures, isStream, allCaptures } from './dsmr/p1-corpus.ts';
import { hanFixtures } from './han/han-fixture-files.ts';
import { optionsFor } from './han/han-expected.ts';
import { corpusAbsent, needsCorpus } from './shared-corpus.ts';

interface Decoded {
  name: string;
  /** Captures of one source file or numbered series (amsreader's gh1119-1..3) belong to one series. */
  series: string;
  readings: Reading[];
}

// Specification examples carry invented numbers (DSMR 5.0.2: 1.111/2.222/3.333 kW per phase over a 1.193 kW total): not physics.
const isSpecExample = (notes: string[]) => notes.some((n) => /spec example|spec-example/i.test(n));

const p1: Decoded[] = decodableCaptures()
  .filter((c) => !isSpecExample(c.expected.notes))
  .map((c) => ({ name: c.id, series: c.id, readings: decodeTelegrams(c.text) }));
// the stream fixture: its first telegram is cut off, the rest is one series
const p1Streams: Decoded[] = allCaptures.filter(isStream).map((c) => ({ name: c.id, series: c.id, readings: safe(() => decodeTelegrams(c.text.slice(c.text.indexOf('/', 1)))) }));
const han: Decoded[] = hanFixtures()
  .filter((f) => f.expected?.hdlc?.valid && !f.expected.hdlc.segmented && (!f.expected.encryption || f.expected.encryption.encryption_key))
  .map((f) => ({
    name: f.name,
    series: `${f.expected.source?.repo}:${String(f.expected.source?.path ?? f.name).replace(/-\d+\.hex$/, '')}`,
    readings: [decodeFrame(f.bytes, optionsFor(f))],
  }));

function safe(f: () => Reading[]): Reading[] {
  try {
    return f();
  } catch {
    return [];
  }
}

describe('physics: Σ U·|I| against |S| on every capture with voltages, currents and powers', () => {
  const checked = [...p1, ...han].flatMap((d) => d.readings.map((r) => ({ name: d.name, check: powerCheck(r.values) })));
  it.skipIf(corpusAbsent())(needsCorpus('has captures with all three quantities'), () => expect(checked.filter((c) => c.check).length).toBeGreaterThan(20));
  for (const { name, check } of checked) {
    if (check) it(`${name}: ${check.sumVi.toFixed(0)} VA against |S| ${check.apparent.toFixed(0)} VA`, () => expectPhysical(check, name));
  }
});

const ENERGY = ['energyImportKwh', 'energyImportT1Kwh', 'energyImportT2Kwh', 'energyExportKwh', 'energyExportT1Kwh', 'energyExportT2Kwh', 'energyReactiveImportKvarh', 'energyReactiveExportKvarh'] as const;

describe('registers never decrease within a series from one meter', () => {
  const byMeter = new Map<string, { name: string; r: Reading }[]>();
  for (const d of [...p1, ...p1Streams, ...han]) {
    for (const r of d.readings) {
      if (!r.meterId || !r.meterTime) continue;
      const meter = `${d.series} ${r.meterId}`;
      const list = byMeter.get(meter) ?? [];
      list.push({ name: d.name, r });
      byMeter.set(meter, list);
    }
  }
  const series = [...byMeter].filter(([, l]) => new Set(l.map((x) => x.r.meterTime!.getTime())).size > 1);
  it.skipIf(corpusAbsent())(needsCorpus('has at least one series'), () => expect(series.length).toBeGreaterThan(0));
  for (const [meter, list] of series) {
    it(`meter ${meter}: ${list.length} readings in time order`, () => {
      const sorted = [...list].sort((a, b) => a.r.meterTime!.getTime() - b.r.meterTime!.getTime());
      for (const q of ENERGY) {
        let last: { name: string; v: number } | null = null;
        for (const { name, r } of sorted) {
          const v = r.values[q];
          if (v === undefined) continue;
          if (last) expect(v, `${q}: ${name} after ${last.name}`).toBeGreaterThanOrEqual(last.v);
          last = { name, v };
        }
      }
    });
  }
});
