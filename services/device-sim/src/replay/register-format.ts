/** Prints a register the way the meter did: same integer width, same decimals, never rounded up. */
export interface NumberShape {
  intDigits: number;
  decimals: number;
}

export function shapeOf(text: string): NumberShape {
  const dot = text.indexOf('.');
  return dot < 0 ? { intDigits: text.length, decimals: 0 } : { intDigits: dot, decimals: text.length - dot - 1 };
}

/** Floors to the printed resolution so a register never shows more than was consumed. */
export function formatLike(value: number, shape: NumberShape): string {
  const scale = 10 ** shape.decimals;
  // The small epsilon absorbs binary noise (0.1 + 0.2) without ever rounding a real value up.
  const units = Math.floor(value * scale + 1e-6);
  const intPart = Math.floor(units / scale);
  const frac = units - intPart * scale;
  const head = String(intPart).padStart(shape.intDigits, '0');
  return shape.decimals === 0 ? head : `${head}.${String(frac).padStart(shape.decimals, '0')}`;
}
