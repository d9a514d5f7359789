/** Σ U·|I| against |S|: the check physics.test.ts states and the Kamstrup scaler test uses. */
import { expect } from 'vitest';
import type { QuantityValues } from '../src/index.ts';

const PHASES = [1, 2, 3] as const;
const TOLERANCE = { relative: 0.02, absoluteVa: 10, maxFactor: 3, maxSlackVa: 100 };

/** One step of the resolution a value was sent in: 4.224 -> 0.001, 2 -> 1. */
function step(v: number): number {
  for (let d = 0; d <= 4; d++) if (Number.isInteger(Math.round(v * 10 ** d * 1e6) / 1e6)) return 10 ** -d;
  return 1e-4;
}

export interface PowerCheck {
  sumVi: number;
  sumViUpper: number;
  apparent: number;
}

/** Σ U·|I| (and with one resolution step more per current) against |S|; null when the reading lacks the quantities. */
export function powerCheck(v: QuantityValues): PowerCheck | null {
  const phases = PHASES.filter((p) => v[`voltageL${p}V`] !== undefined && v[`currentL${p}A`] !== undefined);
  if (phases.length === 0 || (v.powerImportW === undefined && v.powerExportW === undefined)) return null;
  let sumVi = 0;
  let sumViUpper = 0;
  for (const p of phases) {
    const u = v[`voltageL${p}V`]!;
    const i = Math.abs(v[`currentL${p}A`]!);
    sumVi += u * i;
    sumViUpper += u * (i + step(i));
  }
  const p = (v.powerImportW ?? 0) - (v.powerExportW ?? 0);
  const q = (v.powerReactiveImportVar ?? 0) - (v.powerReactiveExportVar ?? 0);
  // phases that import and export at once cancel in the total: Σ|P_p| ≤ Σ|S_p| is the tighter bound then
  const perPhase = PHASES.reduce((sum, n) => sum + Math.abs((v[`powerImportL${n}W`] ?? 0) - (v[`powerExportL${n}W`] ?? 0)), 0);
  return { sumVi, sumViUpper, apparent: Math.max(Math.hypot(p, q), perPhase) };
}

export function expectPhysical(check: PowerCheck, what: string): void {
  expect(check.sumViUpper, `${what}: Σ U·I ${check.sumVi.toFixed(1)} VA below |S| ${check.apparent.toFixed(1)} VA`).toBeGreaterThanOrEqual(
    check.apparent * (1 - TOLERANCE.relative) - TOLERANCE.absoluteVa,
  );
  expect(check.sumVi, `${what}: Σ U·I ${check.sumVi.toFixed(1)} VA implausibly above |S| ${check.apparent.toFixed(1)} VA`).toBeLessThanOrEqual(
    check.apparent * TOLERANCE.maxFactor + TOLERANCE.maxSlackVa,
  );
}
