import type { QuantityName } from '@sem/meter-protocol';

/**
 * One answered reading or bucket. Raw rows and raw buckets carry quantities (registers as their last
 * value); rollup buckets (`source: 'rollup'`) carry averages with `min` and `max`, and in `used` what
 * each register counted in the bucket (energy in kWh, gas and water in m³, events as counts).
 */
export type ReadingOut = { time: string; samples?: number; source?: 'rollup' } & Partial<Record<QuantityName, number>> & {
  min?: Partial<Record<QuantityName, number>>;
  max?: Partial<Record<QuantityName, number>>;
  used?: Record<string, number>;
};
