import type { Kysely } from 'kysely';
import type { Registry } from 'prom-client';
import type { Database } from '@sem/db';
import type { Reading } from '@sem/meter-protocol';
import type { IngestConfig } from './config.ts';
import type { IngestLog } from './ingest-log.ts';
import { DeviceDirectory } from './devices/device-directory.ts';
import { deviceChanged } from './devices/device-changes.ts';
import { IngestError } from './errors/ingest-error.ts';
import type { DeviceSettings } from './devices/devices.repository.ts';
import { engineMetrics } from './metrics/engine-metrics.ts';
import { decodeHanBytes } from './payloads/han-payload.ts';
import { decodeP1Payload } from './payloads/p1-payload.ts';
import { DeferredRollups } from './rollups/deferred-rollups.ts';
import { RejectCounter } from './rollups/reject-counter.ts';
import { rollupWriteStepWith } from './rollups/rollup-write-step.ts';
import { ingestReadings, type IngestDevice, type IngestObserver, type IngestResult } from './write/ingest.ts';
import type { ReadingSource } from './write/prepared-reading.ts';
import { pingDatabase } from './write/write-batch.ts';
import { WriteQueue, type AdmissionRefusal } from './write/write-queue.ts';
import { purgeExpiredRequests, type RequestIdentity } from './write/request-once.ts';
import type { WriteStep } from './write/write-steps.ts';

export interface IngestEngineOptions {
  /** The caller's pool: the engine never closes it. */
  db: Kysely<Database>;
  config: Pick<IngestConfig, 'writeQueue' | 'rollupFlushMs' | 'deviceCacheTtlMs'> & Partial<Pick<IngestConfig, 'rollupOrphanAfterMs' | 'timeWindow' | 'rollupGapHorizonMs' | 'idempotency'>>;
  log?: IngestLog;
  /** Where the engine's Prometheus series go (absent: not measured). */
  metrics?: Registry;
  /** Extra steps for every write transaction, after the built-in ones and the rollups. */
  writeSteps?: readonly WriteStep[];
  /** How often the rejects per hour are written (default a minute). */
  rejectFlushMs?: number;
}

export interface IngestEngine {
  readonly db: Kysely<Database>;
  readonly writeQueue: WriteQueue;
  /** The deferred rollups; undefined when they are written in each write transaction (rollupFlushMs 0). */
  readonly rollups: DeferredRollups | undefined;
  /** Rejects by reason per hour, for the fleet dashboard; adapters count their own refusals here too. */
  readonly rejects: RejectCounter;
  /** Device look-up by key, with its cache. */
  readonly devices: DeviceDirectory;
  /**
   * Validates each reading, writes the good ones in the next group commit and resolves after COMMIT.
   * Throws IngestError (invalid-reading when every reading was refused; overloaded, shutting-down or
   * database-unavailable when nothing was stored and the same request may be sent again).
   */
  ingest(device: IngestDevice, readings: readonly Reading[], source: ReadingSource, receivedAt: Date, identity?: RequestIdentity): Promise<IngestResult>;
  /**
   * Whether the write path admits a request now (undefined) or refuses it (IngestError overloaded or shutting-down,
   * with Retry-After seconds). Ask before reading a request's body to answer the excess cheaply; `ingest` asks again.
   */
  admission(): IngestError | undefined;
  /** The same decision as plain data (no Error to build), for an adapter that answers the refusal itself. */
  refusal(): AdmissionRefusal | undefined;
  /** HAN bytes to readings with the device's HAN keys, zone, Kamstrup scalers and clock rule. */
  decodeHan(device: Pick<DeviceSettings, 'id' | 'timeZone' | 'country'>, bytes: Uint8Array): Promise<Reading[]>;
  /** P1 text to readings in the device's zone; encrypted P1 (Smarty, 0xDB) with the device's P1 key. */
  decodeP1(device: Pick<DeviceSettings, 'id' | 'timeZone'>, text: string): Promise<Reading[]>;
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
  /** Refuses new writes, drains the accepted ones, writes the held rollups and rejects. The pool stays open. */
  close(): Promise<void>;
}

/** The write engine of one process. Several processes may run one each against the same database (README). */
export function createIngest(options: IngestEngineOptions): IngestEngine {
  const { db, config, log } = options;
  const measured = options.metrics ? engineMetrics(options.metrics) : undefined;
  const writeQueue = new WriteQueue(db, config.writeQueue, measured?.writeQueue, log);
  const rejects = new RejectCounter(db, { flushIntervalMs: options.rejectFlushMs, log });
  const devices = new DeviceDirectory(db, config.deviceCacheTtlMs);
  let rollups: DeferredRollups | undefined;
  if (config.rollupFlushMs === 0) writeQueue.addStep(rollupWriteStepWith(config.rollupGapHorizonMs));
  else {
    // A journal row a minute old (and 20 flushes) has no live writer: another process's rows are flushed within flushMs.
    const orphanAfterMs = config.rollupOrphanAfterMs ?? Math.max(60_000, 20 * config.rollupFlushMs);
    rollups = new DeferredRollups(
      db,
      { flushMs: config.rollupFlushMs, orphanAfterMs, orphanCheckMs: Math.min(30_000, orphanAfterMs), maxHeldRows: 50_000, gapHorizonMs: config.rollupGapHorizonMs },
      measured?.rollups,
      log,
    );
    writeQueue.addStep(rollups.step);
    rollups.start();
  }
  for (const step of options.writeSteps ?? []) writeQueue.addStep(step);
  const observer: IngestObserver = {
    readings: (source, outcome, count) => measured?.ingest.readings(source, outcome, count),
    rejected(code, deviceId) {
      measured?.ingest.rejected(code, deviceId);
      rejects.count(code, deviceId);
    },
    meterClockUnset: (source, count) => measured?.ingest.meterClockUnset(source, count),
  };
  // Request marks past their window are no use: removed every 10 minutes.
  const purgeTimer = setInterval(() => {
    purgeExpiredRequests(db).catch((err: unknown) => log?.warn({ err }, 'could not purge expired request marks'));
  }, 600_000);
  purgeTimer.unref();
  let closed: Promise<void> | undefined;
  return {
    db,
    writeQueue,
    rollups,
    rejects,
    devices,
    ingest: (device, readings, source, receivedAt, identity) =>
      ingestReadings(writeQueue, device, readings, source, receivedAt, observer, config.timeWindow, identity, config.idempotency).catch((err: unknown) => {
        // Its cached key must not be trusted again in this process.
        if (err instanceof IngestError && err.kind === 'unknown-device') deviceChanged(device.id);
        throw err;
      }),
    admission: () => writeQueue.admission(),
    refusal: () => writeQueue.refusal(),
    decodeHan: (device, bytes) => decodeHanBytes(db, device, bytes),
    decodeP1: (device, text) => decodeP1Payload(db, device, text),
    ping: () => pingDatabase(db),
    close() {
      closed ??= (async () => {
        clearInterval(purgeTimer);
        await writeQueue.close();
        await rollups?.close();
        await rejects.close();
        devices.close();
      })();
      return closed;
    },
  };
}
