#!/usr/bin/env node
import { setDefaultCACertificates } from 'node:tls';
import { parseOptions, UsageError, USAGE } from './cli/options.ts';
import { runSim } from './fleet/run-sim.ts';

/**
 * sem-device-sim entry point. SIGINT/SIGTERM stop reading the source and give the outbox
 * --drain-timeout to empty; a second signal stops at once. The outbox is kept on disk either way.
 * The JSON summary goes to stdout, everything else to stderr.
 */
async function main(): Promise<number> {
  // `npm run sim -w services/device-sim` runs in the workspace folder: paths are meant from where the user typed.
  if (process.env.INIT_CWD) process.chdir(process.env.INIT_CWD);
  let options;
  try {
    options = parseOptions(process.argv.slice(2), process.env);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n\n${USAGE}\n`);
      return 2;
    }
    throw error;
  }
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  // --ca: HTTPS is verified against this CA only (fetch uses the process's default CA list).
  if (options.ca) setDefaultCACertificates([options.ca]);
  const stop = new AbortController();
  const kill = new AbortController();
  const onSignal = (name: string) => {
    const first = !stop.signal.aborted;
    process.stderr.write(`\n${name}: ${first ? 'stopping, sending what is queued' : 'stopping now, the outbox is kept'}\n`);
    (first ? stop : kill).abort();
    // The outbox is written synchronously, so leaving now loses nothing (a source stuck in a read cannot hold us).
    if (!first) setTimeout(() => process.exit(130), 2000).unref();
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  const summary = await runSim(options, { stderr: process.stderr, log: (l) => process.stderr.write(`${l}\n`) }, stop.signal, kill.signal);
  process.stdout.write(`${JSON.stringify(summary)}\n`);
  return summary.pending > 0 ? 3 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`device-sim: ${(error as Error).message}\n`);
    process.exit(1);
  },
);
