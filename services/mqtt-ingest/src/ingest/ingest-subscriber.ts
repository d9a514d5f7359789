import { setTimeout as sleep } from 'node:timers/promises';
import mqtt, { type IClientOptions, type IPublishPacket, type MqttClient, type Packet } from 'mqtt';
import type { Logger } from 'pino';
import { METER_CLOCK_UNSET } from '@sem/ingest';
import { INGEST_SUBSCRIPTIONS, parseUploadTopic, type UploadRoute } from '../topics/topic-route.ts';
import { IgnoredLog } from './ignored-log.ts';
import type { IngestStats } from './ingest-stats.ts';
import type { UploadHandler, UploadOutcome } from './upload-outcome.ts';
import { DeviceLanes } from './device-lanes.ts';
import { InOrderAcks } from './in-order-acks.ts';
import { assertPubackWriter, PUBACK_OURS, sendPuback } from './puback.ts';

const DEFAULT_WINDOW = 100;

export interface BrokerConnection {
  url: string;
  username: string;
  password: string;
  /** PEM of the CA that signed the broker certificate; undefined uses the system CAs. */
  ca: Buffer | undefined;
  /** Fixed id: the broker keeps this client's session (subscriptions and un-acked messages) by it. */
  clientId: string;
  /** Messages in hand at once (the subscriber's `window` when that is not given). */
  inflight?: number;
}

export interface IngestSubscriberOptions {
  broker: BrokerConnection;
  handler: UploadHandler;
  stats: IngestStats;
  log: Logger;
  /** Backoff between retries of a message whose handler threw (database unavailable). */
  retryDelayMs?: { first: number; max: number };
  /** Called for every message acknowledged without a reading, with its reason (the Prometheus counter). */
  onIgnored?: (kind: UploadRoute['kind'], reason: string) => void;
  /** Warn about ignored messages at most this often per device and reason (default one hour). */
  ignoredWarnIntervalMs?: number;
  /**
   * Messages in hand at once (default 100), also sent to the broker as MQTT 5 Receive Maximum. They share group
   * commits; the broker's max_inflight_messages may allow fewer (docs/mqtt.md, "Delivery").
   */
  window?: number;
}

export interface IngestSubscriber {
  client: MqttClient;
  /** Messages in hand now (received, not yet acknowledged or given up). */
  inHand(): number;
  /** Finishes the messages in hand (acknowledging those that commit), then disconnects. */
  close(): Promise<void>;
}

/** A backoff pause that close() cuts short (an abort resolves it early instead of throwing). */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return sleep(ms, undefined, { signal }).catch(() => undefined);
}

/**
 * The PUBACK reason code (MQTT 5) of a final outcome: success, or why the message was dropped. Either
 * way the broker forgets the message; only an outcome not yet known (database away) leaves it unacknowledged.
 */
export function pubackReasonCode(outcome: UploadOutcome): number {
  if (outcome.status !== 'rejected') return 0x00;
  switch (outcome.code) {
    case 'unknown_device':
    case 'bad_topic':
      return 0x87; // not authorized
    case 'reading_rejected':
      return 0x83; // implementation specific error: valid payload, readings refused
    case 'internal_error':
      return 0x80; // unspecified error
    default:
      return 0x99; // payload format invalid
  }
}

// A handler error that says nothing about retrying (a bug): a few tries, then the message is dropped.
const UNEXPECTED_ERROR_ATTEMPTS = 5;

/**
 * Subscribes with a persistent session and acknowledges each QoS 1 message only after its
 * handler has finished, i.e. after its rows committed: receive, decode, write, commit, PUBACK. Up to
 * `window` messages are in hand at once and share group commits; a device's messages are handled in order,
 * and PUBACKs leave in arrival order. If the process dies before a PUBACK, the broker keeps the message in
 * this client's session and sends it again (DUP) on reconnect.
 */
export async function startIngestSubscriber(options: IngestSubscriberOptions): Promise<IngestSubscriber> {
  const { broker, handler, stats, log } = options;
  const retry = options.retryDelayMs ?? { first: 500, max: 30_000 };
  let closing = false;
  const stop = new AbortController();
  const ignoredLog = new IgnoredLog(options.ignoredWarnIntervalMs);

  const window = options.window ?? broker.inflight ?? DEFAULT_WINDOW;
  const clientOptions: IClientOptions = {
    clientId: broker.clientId,
    username: broker.username,
    password: broker.password,
    ca: broker.ca,
    protocolVersion: 5,
    // Persistent session that never expires: messages queue at the broker while we are down.
    clean: false,
    // Receive Maximum: the broker sends at most this many QoS 1 messages before their PUBACKs.
    properties: { sessionExpiryInterval: 0xffffffff, receiveMaximum: window },
    reconnectPeriod: 2000,
    // On a fresh install the broker may refuse us until it has reloaded the password file we wrote.
    reconnectOnConnackError: true,
    connectTimeout: 10_000,
    manualConnect: true,
  };

  async function handleOnce(route: UploadRoute, packet: IPublishPacket): Promise<UploadOutcome | 'closing'> {
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    const context = { receivedAt: new Date(), qos: packet.qos, redelivered: packet.dup };
    for (let attempt = 0; ; attempt++) {
      try {
        return await handler(route, payload, context);
      } catch (error) {
        if (closing) return 'closing';
        const maxAttempts = (error as { maxAttempts?: number }).maxAttempts ?? UNEXPECTED_ERROR_ATTEMPTS;
        if (attempt + 1 >= maxAttempts) {
          log.error({ err: error, topic: packet.topic, attempts: attempt + 1 }, 'upload failed repeatedly; dropped');
          return { status: 'rejected', code: 'internal_error', reason: String((error as Error).message) };
        }
        stats.retried(route.kind);
        const delay = Math.min(retry.max, retry.first * 2 ** Math.min(attempt, 16));
        log.error({ err: error, topic: packet.topic, attempt: attempt + 1, retryInMs: delay }, 'upload not stored, will retry; not acknowledged');
        await pause(delay, stop.signal);
        if (closing) return 'closing';
      }
    }
  }

  async function process(packet: IPublishPacket): Promise<UploadOutcome | 'closing'> {
    const route = parseUploadTopic(packet.topic);
    if (!route) {
      // Only reachable if the ACL or the subscriptions change: drop and go on.
      stats.badTopic();
      log.warn({ topic: packet.topic }, 'message on an unknown topic dropped');
      return { status: 'rejected', code: 'bad_topic', reason: 'unknown topic' };
    }
    stats.received(route.kind);
    const outcome = await handleOnce(route, packet);
    if (outcome === 'closing') return outcome;
    stats.outcome(route.kind, outcome);
    const fields = { topic: packet.topic, device: route.device, kind: route.kind, bytes: packet.payload.length, dup: packet.dup };
    if (outcome.status === 'rejected') log.warn({ ...fields, code: outcome.code, reason: outcome.reason }, 'upload rejected and dropped');
    else if (outcome.status === 'ignored') {
      options.onIgnored?.(route.kind, outcome.reason);
      const count = ignoredLog.note(route.device, outcome.reason);
      if (count !== null) log.warn({ ...fields, reason: outcome.reason, ignoredSinceLastWarn: count }, 'upload without readings ignored');
      else log.debug({ ...fields, reason: outcome.reason }, 'upload without readings ignored');
    }
    else {
      log.debug({ ...fields, readings: outcome.readings, duplicates: outcome.duplicates }, 'upload stored');
      // no answer body tells an MQTT device its clock is unset: a warn line, at most once an hour per device
      const count = outcome.meterClockUnset === undefined ? null : ignoredLog.note(route.device, METER_CLOCK_UNSET);
      if (count !== null) {
        log.warn({ ...fields, meterClock: outcome.meterClockUnset, sinceLastWarn: count }, 'meter clock unset or not a date; readings stored at their receive time');
      }
    }
    return outcome;
  }

  const client = mqtt.connect(broker.url, clientOptions);
  assertPubackWriter(client);

  // Up to `window` messages are handled at once, so they share group commits; each device's in its order. MQTT.js
  // hands over the next message when handleMessage calls back: at once while there is room, else when a message
  // finishes (TCP pushes back on the broker meanwhile). A QoS 1 message's PUBACK is sent by `acks` after its commit,
  // in arrival order; the callback gets PUBACK_OURS so that MQTT.js does not send one itself.
  const acks = new InOrderAcks((messageId, reasonCode) => sendPuback(client, messageId, reasonCode));
  const lanes = new DeviceLanes();
  const inHand = new Set<Promise<void>>();
  let roomFreed: (() => void) | undefined;
  const handle = (packet: IPublishPacket): Promise<void> => {
    const settle = packet.qos > 0 ? acks.receive(packet.messageId!) : undefined;
    const work = lanes.run(parseUploadTopic(packet.topic)?.device ?? packet.topic, () => process(packet)).then(
      (outcome) => settle?.(outcome === 'closing' ? null : pubackReasonCode(outcome)),
      (error: unknown) => {
        // A bug in the pipeline, not in the message: no PUBACK (the broker redelivers it on the next connection),
        // and the messages behind it go on.
        log.fatal({ err: error, topic: packet.topic }, 'ingest pipeline failed; message left unacknowledged');
        settle?.(null);
      },
    );
    const tracked = work.finally(() => {
      inHand.delete(tracked);
      roomFreed?.();
    });
    inHand.add(tracked);
    return tracked;
  };
  client.handleMessage = (packet: Packet, callback: (error?: Error) => void) => {
    if (packet.cmd !== 'publish') return callback();
    void handle(packet);
    const next = () => callback(packet.qos > 0 ? PUBACK_OURS : undefined);
    if (inHand.size < window) return next();
    void new Promise<void>((room) => (roomFreed = room)).then(() => {
      roomFreed = undefined;
      next();
    });
  };
  client.on('close', () => acks.connectionLost());

  client.on('connect', (connack) => {
    log.info({ sessionPresent: connack.sessionPresent }, 'connected to broker');
    client.subscribe(
      [...INGEST_SUBSCRIPTIONS],
      { qos: 1 },
      (error, granted) => {
        if (error) return log.error({ err: error }, 'subscribe failed');
        const refused = (granted ?? []).filter((g) => g.qos > 2);
        if (refused.length > 0) log.error({ refused }, 'broker refused subscriptions (check the ACL for the ingest user)');
      },
    );
  });
  client.on('error', (error) => log.error({ err: error }, 'mqtt error'));
  client.on('offline', () => log.warn('broker connection lost, reconnecting'));

  // Keeps trying (the broker may still be reloading the password file that admits us) until closed.
  const connected = new Promise<void>((ok) => client.once('connect', () => ok()));
  client.connect();
  await connected;

  return {
    client,
    inHand: () => inHand.size,
    async close() {
      closing = true;
      stop.abort();
      while (inHand.size > 0) await Promise.all([...inHand]);
      await client.endAsync();
    },
  };
}
