/** The simulator as a library: the CLI's pieces, for tests and for other tools. */
export { parseOptions, UsageError, type SimOptions } from './cli/options.ts';
export { runSim } from './fleet/run-sim.ts';
export { DeviceRunner, type DeviceSettings } from './fleet/device.runner.ts';
export { Outbox } from './outbox/outbox.store.ts';
export { P1Replayer, type P1ReplayOptions } from './replay/p1-replayer.ts';
export { p1Timestamp } from './time/zone-clock.ts';
export { HanReplayer, type HanReplayOptions } from './replay/han-replayer.ts';
export { replayUnits } from './replay/replay-source.ts';
export { loadCaptures } from './sources/capture-files.ts';
export { liveUnits, parseLiveSource } from './sources/live-stream.ts';
export { POST_FORMATS, type PostFormat } from './post/post-format.ts';
export { RunStats, type RunSummary } from './stats/run-stats.ts';
export { backoffDelayMs, DEFAULT_BACKOFF, parseRetryAfterMs, retryDelayMs, type BackoffPolicy } from './net/backoff.ts';
