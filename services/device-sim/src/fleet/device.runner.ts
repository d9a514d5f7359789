import type { Outbox } from '../outbox/outbox.store.ts';
import { retryDelayMs, type BackoffPolicy } from '../net/backoff.ts';
import { httpPost } from '../net/http-post.ts';
import type { PostOutcome } from '../net/post-outcome.ts';
import { batches, type OutboxItem, type PostFormat } from '../post/post-format.ts';
import { buildRequest, idempotencyKey, type DeviceAuth } from '../post/request-builder.ts';
import { unitToItem, type DecodeSettings } from '../post/unit-to-item.ts';
import type { MeterUnit, TimedUnit } from '../sources/meter-unit.ts';
import type { RunStats } from '../stats/run-stats.ts';
import { realSleep } from '../time/clock.ts';
import { jittered } from '../time/jitter.ts';
import { fetchDeviceConfig } from './server-api.ts';

/**
 * One device: a producer that turns meter units into outbox entries, and a sender that posts the
 * outbox oldest first. An entry leaves the outbox only on an acknowledgement (2xx, duplicate) or a
 * final 4xx; everything else is retried with backoff, for as long as the device runs.
 */
/** How often a device asks the server for its config again (GET /api/v1/device). */
const CONFIG_REFRESH_MS = 5 * 60_000;
const FIRST_FLUSH_SPREAD_MS = 5_000;

export interface DeviceSettings {
  name: string;
  baseUrl: string;
  format: PostFormat;
  auth: DeviceAuth;
  decode: DecodeSettings;
  /** Wait between flushes of the outbox (0: post as soon as a reading is there). */
  batchIntervalMs: number;
  batchMax: number;
  jitter: number;
  requestTimeoutMs: number;
  backoff: BackoffPolicy;
  /** Live sources lose readings when the outbox is full; replays wait for room instead. */
  live: boolean;
  /** Only keep one unit per this many ms (the SEM firmware samples once per period). */
  sampleMs: number;
  /** Stop producing after this many readings. */
  maxReadings?: number;
  /** Stop producing at this device time (ms). */
  untilMs?: number;
  /** Take the send interval the server hands out (GET /api/v1/device and answers). */
  followServerInterval: boolean;
  /** Called with every unit that went into the outbox (--record). */
  record?: (unit: MeterUnit) => void;
}

export interface DeviceSignals {
  /** Stop reading the source (SIGINT/SIGTERM, or the run is over). */
  stopProducing: AbortSignal;
  /** Stop sending too: whatever is left stays in the outbox for the next start. */
  stopSending: AbortSignal;
}

/** A reading without meter time goes alone; a batch stops before the next one. */
export function soloCut<T extends { item: OutboxItem }>(entries: T[]): T[] {
  if (entries[0]?.item.solo) return entries.slice(0, 1);
  const at = entries.findIndex((e) => e.item.solo);
  return at < 0 ? entries : entries.slice(0, at);
}

export class DeviceRunner {
  readonly settings: DeviceSettings;
  private readonly outbox: Outbox<OutboxItem>;
  private readonly stats: RunStats;
  private batchIntervalMs: number;
  private sampleMs: number;
  private producerDone = false;
  private wake: (() => void) | undefined;
  private readonly everSent = new Set<number>();
  /** Pending count this device contributes to the shared stats. */
  private counted = 0;

  constructor(settings: DeviceSettings, outbox: Outbox<OutboxItem>, stats: RunStats) {
    this.settings = settings;
    this.outbox = outbox;
    this.stats = stats;
    this.batchIntervalMs = settings.batchIntervalMs;
    this.sampleMs = settings.sampleMs;
    this.syncPending();
  }

  /** The current flush interval, changed by the server's send interval. */
  get sendIntervalMs(): number {
    return this.batchIntervalMs;
  }

  /** Applies a send interval from the server (seconds): json flushes that often, the others sample that often. */
  applyServerInterval(seconds: number | undefined): void {
    if (!this.settings.followServerInterval || seconds === undefined) return;
    if (batches(this.settings.format)) this.batchIntervalMs = seconds * 1000;
    else this.sampleMs = seconds * 1000;
  }

  /** Runs until the source ends or stops and the outbox is empty (or sending is stopped). */
  async run(units: AsyncIterable<TimedUnit>, signals: DeviceSignals, onProduced: () => void = () => {}): Promise<void> {
    const sender = this.sendLoop(signals);
    try {
      await this.produce(units, signals.stopProducing);
    } finally {
      this.producerDone = true;
      this.poke();
      onProduced();
    }
    await sender;
  }

  private syncPending(): void {
    this.stats.pending += this.outbox.size - this.counted;
    this.counted = this.outbox.size;
  }

  private poke(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  private waitForWake(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done, { once: true });
      this.wake = done;
    });
  }

  private async produce(units: AsyncIterable<TimedUnit>, stop: AbortSignal): Promise<void> {
    const s = this.settings;
    let produced = 0;
    let lastKept = -Infinity;
    for await (const { atMs, unit } of units) {
      if (stop.aborted) break;
      if (s.untilMs !== undefined && atMs > s.untilMs) break;
      if (this.sampleMs > 0 && atMs - lastKept < this.sampleMs) continue;
      lastKept = atMs;
      const result = unitToItem(s.format, unit, atMs, s.decode);
      if ('error' in result) {
        this.stats.reject(`local_${result.error}`);
        continue;
      }
      while (this.outbox.isFull) {
        if (s.live) break;
        // A replay waits for the sender to make room: it never drops a reading.
        await realSleep(20, stop);
        if (stop.aborted) return;
      }
      if (this.outbox.add(result.item) === undefined) {
        this.stats.overflow++;
        continue;
      }
      this.stats.readings++;
      s.record?.(unit);
      this.syncPending();
      this.poke();
      if (s.maxReadings !== undefined && ++produced >= s.maxReadings) break;
    }
  }

  private async sendLoop(signals: DeviceSignals): Promise<void> {
    const s = this.settings;
    const stop = signals.stopSending;
    // A device posts soon after it starts (what it had queued, its first reading); a fleet started
    // together spreads that first flush over a few seconds, and the jittered intervals do the rest.
    let nextFlushAt = Date.now() + Math.random() * Math.min(this.batchIntervalMs, FIRST_FLUSH_SPREAD_MS);
    let nextConfigAt = Date.now() + CONFIG_REFRESH_MS;
    let attempt = 0;
    // A batch refused as a whole (413, or 400 for one bad reading) is split until the culprit stands alone.
    let splitLimit = Infinity;
    while (!stop.aborted) {
      if (s.followServerInterval && Date.now() >= nextConfigAt) {
        nextConfigAt = Date.now() + CONFIG_REFRESH_MS;
        this.applyServerInterval((await fetchDeviceConfig(s.baseUrl, s.auth.key, s.requestTimeoutMs))?.sendIntervalSeconds);
      }
      if (this.outbox.size === 0) {
        if (this.producerDone) return;
        await this.waitForWake(1000, stop);
        continue;
      }
      const limit = batches(s.format) ? Math.min(s.batchMax, splitLimit) : 1;
      // Wait for the flush time unless a full batch is ready or nothing more will come.
      if (attempt === 0 && !this.producerDone && Date.now() < nextFlushAt && this.outbox.size < limit) {
        await this.waitForWake(Math.min(1000, nextFlushAt - Date.now()), stop);
        continue;
      }
      const entries = soloCut(this.outbox.peek(limit));
      for (const e of entries) {
        if (!this.everSent.has(e.id)) {
          this.everSent.add(e.id);
          this.stats.sent++;
        }
      }
      if (attempt > 0) this.stats.retried++;
      const request = buildRequest(s.format, entries.map((e) => e.item), s.auth, idempotencyKey(entries));
      const started = performance.now();
      const outcome = await httpPost(s.baseUrl, request, s.requestTimeoutMs, stop);
      this.stats.requests++;
      if (outcome.kind !== 'retry' || outcome.status !== undefined) this.stats.latency(performance.now() - started);
      this.applyServerInterval(outcome.sendIntervalS);
      if (outcome.kind === 'retry') {
        if (outcome.status === undefined) this.stats.networkErrors++;
        attempt++;
        const wait = retryDelayMs(attempt, outcome.retryAfterMs, s.backoff);
        await realSleep(wait, stop);
        continue;
      }
      attempt = 0;
      if (outcome.kind === 'reject' && entries.length > 1 && !outcome.perItem && outcome.status !== 401 && outcome.status !== 403) {
        splitLimit = Math.ceil(entries.length / 2);
        continue;
      }
      if (outcome.kind === 'ack') splitLimit = splitLimit === Infinity ? Infinity : splitLimit * 2;
      this.settle(entries.map((e) => e.id), outcome);
      if (this.outbox.size < limit || this.batchIntervalMs > 0) nextFlushAt = Date.now() + jittered(this.batchIntervalMs, s.jitter);
    }
  }

  /** Removes acknowledged and finally rejected readings from the outbox and counts them. */
  private settle(ids: number[], outcome: Exclude<PostOutcome, { kind: 'retry' }>): void {
    if (outcome.kind === 'reject') {
      if (outcome.perItem && outcome.perItem.length === ids.length) {
        for (const r of outcome.perItem) this.stats.reject(r.reason ?? outcome.reason);
      } else this.stats.reject(outcome.reason, ids.length);
    } else if (outcome.perItem && outcome.perItem.length === ids.length) {
      for (const r of outcome.perItem) {
        if (r.status === 'rejected') this.stats.reject(r.reason ?? 'rejected');
        else {
          this.stats.acknowledged++;
          if (r.status === 'duplicate') this.stats.duplicate++;
        }
      }
    } else {
      this.stats.acknowledged += ids.length;
      if (outcome.duplicate) this.stats.duplicate += ids.length;
    }
    this.outbox.ack(ids);
    for (const id of ids) this.everSent.delete(id);
    this.syncPending();
  }
}
