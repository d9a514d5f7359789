import { createHash } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SimOptions } from '../cli/options.ts';
import { Outbox } from '../outbox/outbox.store.ts';
import type { OutboxItem } from '../post/post-format.ts';
import { acceptsProtocol, batches } from '../post/post-format.ts';
import { kwhPerUnitFromDecoder, standardTimeFromDecoder } from '../replay/han-register-unit.ts';
import { replayUnits } from '../replay/replay-source.ts';
import { loadCaptures, type LoadedCapture } from '../sources/capture-files.ts';
import { liveUnits, parseLiveSource, type LiveSourceSpec } from '../sources/live-stream.ts';
import type { MeterProtocol, TimedUnit } from '../sources/meter-unit.ts';
import { defaultSerial } from '../sources/serial-port.ts';
import { unitRecorder } from '../sources/unit-recorder.ts';
import { startProgressLine } from '../stats/progress-line.ts';
import { RunStats, type RunSummary } from '../stats/run-stats.ts';
import { acceleratedClock, virtualClock, wallClock, type Clock } from '../time/clock.ts';
import { DeviceRunner, type DeviceSettings } from './device.runner.ts';
import { fleetFilePath, readFleet, writeFleet } from './fleet-file.ts';
import { createDeviceWhenReachable, fetchDeviceConfig, type ProvisionedDevice } from './server-api.ts';

/**
 * One run: resolve the source and the devices, start every device, stop cleanly on a signal or
 * when the run is over, and hand back the summary. Whatever is not acknowledged stays in the
 * outboxes under --outbox-dir and is sent first by the next run with the same devices.
 */
export interface RunIo {
  stderr: NodeJS.WriteStream;
  log: (line: string) => void;
}

const SIGNAL_DRAIN_MS = 5_000;

type Source = { kind: 'capture'; capture: LoadedCapture } | { kind: 'live'; spec: LiveSourceSpec; protocol: MeterProtocol };

function resolveSource(o: SimOptions): Source {
  const live = parseLiveSource(o.source);
  if (live) return { kind: 'live', spec: live, protocol: o.protocol ?? 'p1' };
  const stat = statSync(o.source);
  if (stat.isCharacterDevice()) {
    const protocol = o.protocol ?? 'p1';
    const serial = defaultSerial(protocol);
    return {
      kind: 'live',
      protocol,
      spec: { kind: 'serial', path: o.source, serial: { baud: o.baud ?? serial.baud, framing: o.framing ?? serial.framing } },
    };
  }
  // A named pipe (e.g. fed by another program) is read as a stream, without stty.
  if (stat.isFIFO()) return { kind: 'live', protocol: o.protocol ?? 'p1', spec: { kind: 'file', path: o.source } };
  return { kind: 'capture', capture: loadCaptures(o.source, o.protocol) };
}

async function resolveDevices(o: SimOptions, keyFormat: 'token' | 'legacy', log: (s: string) => void): Promise<ProvisionedDevice[]> {
  const keys = [...o.keys];
  if (o.keysFile) keys.push(...readFileSync(o.keysFile, 'utf8').split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#')));
  if (keys.length > 0) {
    // A device without a name is known by a digest of its key: the same key finds the same outbox.
    return keys.map((key) => ({ name: `key-${createHash('sha256').update(key).digest('hex').slice(0, 12)}`, key }));
  }
  if (!o.adminToken) throw new Error('give --key (or --keys-file), or --admin-token with --devices to provision a fleet');
  const path = fleetFilePath(o.outboxDir, o.namePrefix);
  const devices = readFleet(path, o.url);
  for (let i = devices.length; i < o.devices; i++) {
    const name = `${o.namePrefix}-${String(i + 1).padStart(4, '0')}`;
    devices.push(await createDeviceWhenReachable(o.url, o.adminToken, { name, keyFormat, ...(o.zone ? { timeZone: o.zone } : {}) }, log));
    writeFleet(path, o.url, devices);
  }
  log(`fleet: ${o.devices} device(s) (${path})`);
  return devices.slice(0, o.devices);
}

function deviceClock(o: SimOptions): Clock {
  if (o.virtual) return virtualClock(o.startMs ?? Date.now() - (o.durationMs ?? 3_600_000));
  if (o.speed !== 1 || o.startMs !== undefined) return acceleratedClock(o.startMs ?? Date.now(), o.speed);
  return wallClock;
}

/** `stop`: stop reading and drain; `kill`: stop sending too (a second Ctrl-C). */
export async function runSim(o: SimOptions, io: RunIo, stop: AbortSignal, kill?: AbortSignal): Promise<RunSummary> {
  const source = resolveSource(o);
  const protocol = source.kind === 'capture' ? source.capture.protocol : source.protocol;
  if (!acceptsProtocol(o.post, protocol)) throw new Error(`--post ${o.post} cannot carry ${protocol === 'p1' ? 'P1 telegrams' : 'HAN frames'}`);
  if (source.kind === 'live' && (o.devices > 1 || o.keys.length > 1)) throw new Error('a live source feeds exactly one device');
  if (source.kind === 'capture' && source.capture.skipped > 0) io.log(`skipped ${source.capture.skipped} damaged frame(s) in the capture`);

  const devices = await resolveDevices(o, o.post === 'sem' ? 'legacy' : 'token', io.log);
  const stats = new RunStats();
  stats.devices = devices.length;
  const stopProducing = new AbortController();
  const stopSending = new AbortController();
  const onStop = () => stopProducing.abort();
  const onKill = () => {
    stopProducing.abort();
    stopSending.abort();
  };
  if (stop.aborted) onStop();
  stop.addEventListener('abort', onStop, { once: true });
  kill?.addEventListener('abort', onKill, { once: true });
  const stopProgress = o.quiet ? () => {} : startProgressLine(stats, io.stderr);
  const outboxes: Outbox<OutboxItem>[] = [];
  // Once every producer is done (or stopped), senders get --drain-timeout to empty their outboxes.
  let produced = 0;
  let drainTimer: NodeJS.Timeout | undefined;
  const startDrain = (ms: number) => {
    if (drainTimer) clearTimeout(drainTimer);
    drainTimer = setTimeout(() => stopSending.abort(), ms);
  };
  // On a signal the device has SIGNAL_DRAIN_MS to send what is queued (a container stop waits ~10 s).
  stopProducing.signal.addEventListener('abort', () => startDrain(Math.min(o.drainTimeoutMs, SIGNAL_DRAIN_MS)), { once: true });
  try {
    const runs = devices.map(async (device) => {
      const server = o.followServerInterval ? await fetchDeviceConfig(o.url, device.key) : undefined;
      const zone = o.zone ?? server?.timeZone ?? (protocol === 'p1' ? 'Europe/Brussels' : 'Europe/Oslo');
      const serverMs = server?.sendIntervalSeconds === undefined ? undefined : server.sendIntervalSeconds * 1000;
      const clock = deviceClock(o);
      const startMs = clock.now();
      // json, telegram and frame batch on the send interval. The SEM firmware posts one reading per
      // period, so for sem the send interval is how often it samples (60 s default). The dsmr-reader
      // datalogger forwards every telegram and takes no config from the server.
      const batching = batches(o.post);
      const batchIntervalMs = o.virtual ? 0 : (o.batchIntervalMs ?? (batching ? (serverMs ?? 0) : 0));
      const sampleMs =
        source.kind === 'live' && o.intervalMs !== undefined
          ? o.intervalMs
          : batching
            ? 0
            : o.post === 'sem'
              ? (o.batchIntervalMs ?? serverMs ?? 60_000)
              : (o.batchIntervalMs ?? 0);
      const outbox = Outbox.open<OutboxItem>(join(o.outboxDir, 'outbox', `${device.name}.jsonl`), { maxItems: o.outboxMax });
      outboxes.push(outbox);
      const settings: DeviceSettings = {
        name: device.name,
        baseUrl: o.url,
        format: o.post,
        auth: { key: device.key, dsmrHeader: o.dsmrAuth },
        decode: {
          zone,
          ...(o.kamstrupEnergyScaler === undefined ? {} : { kamstrupEnergyScaler: o.kamstrupEnergyScaler }),
          ...(o.hanKey ? { hanEncryptionKey: Buffer.from(o.hanKey, 'hex') } : {}),
          ...(o.hanAuthKey ? { hanAuthenticationKey: Buffer.from(o.hanAuthKey, 'hex') } : {}),
        },
        batchIntervalMs,
        batchMax: o.batchMax,
        jitter: o.jitter,
        requestTimeoutMs: o.requestTimeoutMs,
        backoff: { baseMs: o.backoffBaseMs, maxMs: o.backoffMaxMs },
        live: source.kind === 'live',
        sampleMs,
        ...(o.count === undefined ? {} : { maxReadings: o.count }),
        ...(o.durationMs === undefined ? {} : { untilMs: startMs + o.durationMs }),
        followServerInterval: o.followServerInterval && !o.virtual && o.batchIntervalMs === undefined && o.post !== 'dsmr-reader',
        ...(o.recordDir ? { record: unitRecorder(o.recordDir, device.name) } : {}),
      };
      const runner = new DeviceRunner(settings, outbox, stats);
      const units: AsyncIterable<TimedUnit> =
        source.kind === 'live'
          ? liveUnits(source.spec, source.protocol, stopProducing.signal, (e) => io.log(`source: ${e.message}`))
          : replayUnits(
              source.capture.units,
              {
                clock,
                rewrite: o.rewrite,
                ...(o.intervalMs === undefined ? {} : { intervalMs: o.intervalMs }),
                jitter: o.intervalMs === undefined ? 0 : o.jitter,
                p1: { zone, gasM3PerHour: o.gasM3PerHour, waterM3PerHour: o.waterM3PerHour, vary: o.vary, phase: Math.random() * 2 * Math.PI },
                han: { zone, kwhPerUnit: kwhPerUnitFromDecoder({ timeZone: zone }), standardTime: standardTimeFromDecoder({ timeZone: zone }) },
              },
              stopProducing.signal,
            );
      await runner.run(units, { stopProducing: stopProducing.signal, stopSending: stopSending.signal }, () => {
        if (++produced === devices.length && !stopProducing.signal.aborted) startDrain(o.drainTimeoutMs);
      });
    });
    // One device failing stops the others cleanly (their outboxes stay), then the error is raised.
    const results = await Promise.allSettled(
      runs.map((r) =>
        r.catch((error: unknown) => {
          onKill();
          throw error;
        }),
      ),
    );
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
  } finally {
    clearTimeout(drainTimer);
    stop.removeEventListener('abort', onStop);
    kill?.removeEventListener('abort', onKill);
    stopProgress();
    for (const outbox of outboxes) outbox.close();
  }
  const summary = stats.summary();
  if (o.summaryFile) writeFileSync(o.summaryFile, JSON.stringify(summary, null, 2) + '\n');
  return summary;
}
