export { applyRollups } from './apply-rollups.ts';
export { ROLLUP_TABLES } from './rollup-columns.ts';
export type { InsertedMbusReading, InsertedReading, InsertedRows } from './rollup.types.ts';
export { recordRejects, type Reject } from './reject-counter.ts';
export { rollupWriteStep } from './rollup-write-step.ts';
export { rejectCounterPlugin, type RejectCounter } from './reject-counter.plugin.ts';
