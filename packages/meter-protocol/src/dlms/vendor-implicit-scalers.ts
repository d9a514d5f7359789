/** Scalers and units of vendors that send bare numbers (Kaifa, Kamstrup): from their HAN documents. */

export interface ScalerUnit {
  scaler: number;
  unit: string;
}

function parts(cdeCode: string): [number, number] {
  const [c, d] = cdeCode.split('.').map(Number);
  return [c ?? -1, d ?? -1];
}

/** W for active (C mod 20 = 1, 2), var for reactive (3, 4) power and their energies. */
function powerUnit(c: number, energy: boolean): string | null {
  const kind = c % 20;
  if (kind === 1 || kind === 2) return energy ? 'Wh' : 'W';
  if (kind === 3 || kind === 4) return energy ? 'varh' : 'var';
  return null;
}

/** Kaifa KFM_001: I in mA, U in 0.1 V, P/Q in W/var, energy in Wh/varh. */
export function kaifaScaler(cdeCode: string): ScalerUnit | null {
  const [c, d] = parts(cdeCode);
  if (d === 8) {
    const unit = powerUnit(c, true);
    return unit ? { scaler: 0, unit } : null;
  }
  if (d !== 7) return null;
  if (c === 31 || c === 51 || c === 71 || c === 91) return { scaler: -3, unit: 'A' };
  if (c === 32 || c === 52 || c === 72) return { scaler: -1, unit: 'V' };
  const unit = powerUnit(c, false);
  return unit ? { scaler: 0, unit } : null;
}

export interface KamstrupScalers {
  /** Energy registers: 1 = 10 Wh (Norway, default), 0 = Wh (Sweden, Switzerland). */
  energy: number;
  /** Currents: -2 = 10 mA (default), -3 = mA (CT meters). */
  current: number;
}

/** Kamstrup_V0001: I in 0.01 A, U in V, P/Q in W/var, PF in 0.01, energy in 10 Wh (Norway). */
export function kamstrupScaler(scalers: KamstrupScalers): (cdeCode: string) => ScalerUnit | null {
  return (cdeCode) => {
    const [c, d] = parts(cdeCode);
    if (d === 8) {
      const unit = powerUnit(c, true);
      return unit ? { scaler: scalers.energy, unit } : null;
    }
    if (d !== 7) return null;
    if (c === 31 || c === 51 || c === 71 || c === 91) return { scaler: scalers.current, unit: 'A' };
    if (c === 32 || c === 52 || c === 72) return { scaler: 0, unit: 'V' };
    if (c === 13 || c === 33 || c === 53 || c === 73) return { scaler: -2, unit: '' };
    const unit = powerUnit(c, false);
    return unit ? { scaler: 0, unit } : null;
  };
}
