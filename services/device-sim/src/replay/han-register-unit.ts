import { decodeFrame, type HanDecodeOptions } from '@sem/meter-protocol';
import { mapFrame, readRegister } from './han-frame-edit.ts';

/**
 * kWh per raw register unit of a list-3 frame, learnt from the protocol library's decode of that
 * same frame (Kaifa counts Wh, Aidon and Norwegian Kamstrup 10 Wh). Undefined if it cannot tell.
 */
export function kwhPerUnitFromDecoder(options: HanDecodeOptions = {}) {
  return (frame: Uint8Array): number | undefined => {
    const map = mapFrame(frame);
    if (!map) return undefined;
    let values;
    try {
      values = decodeFrame(frame, options).values;
    } catch {
      return undefined;
    }
    const pairs: [number, number | undefined][] = [
      [1, values.energyImportKwh],
      [2, values.energyExportKwh],
      [3, values.energyReactiveImportKvarh],
      [4, values.energyReactiveExportKvarh],
    ];
    for (const [c, kwh] of pairs) {
      const slot = map.energy.get(c);
      if (!slot || kwh === undefined) continue;
      const raw = readRegister(frame, slot);
      if (raw > 0) return kwh / raw;
    }
    return undefined;
  };
}

/** Vendors whose HAN clock runs on standard time all year (the protocol library's `standard` clock policy). */
const STANDARD_TIME_VENDORS = new Set(['Kamstrup']);

export function standardTimeFromDecoder(options: HanDecodeOptions = {}) {
  return (frame: Uint8Array): boolean => {
    try {
      return STANDARD_TIME_VENDORS.has(decodeFrame(frame, options).vendor ?? '');
    } catch {
      return false;
    }
  };
}
