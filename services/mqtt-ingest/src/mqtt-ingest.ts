import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import type { IngestEngine } from '@sem/ingest';
import type { MqttIngestConfig } from './config.ts';
import { startOpsServer } from './ops/ops-server.ts';
import { IngestStats } from './ingest/ingest-stats.ts';
import { startIngestSubscriber, type IngestSubscriber } from './ingest/ingest-subscriber.ts';
import { createUploadHandler } from './ingest/upload-handler.ts';
import { RegistrySync } from './registry/registry-sync.ts';
import { HaPublisher } from './home-assistant/ha-publisher.ts';
import { HA_MQTT_USERNAME } from './broker/device-credentials.ts';

export interface MqttIngest {
  stats: IngestStats;
  registry: RegistrySync;
  subscriber: IngestSubscriber;
  /** Finishes the message in hand, stops the registry poll, disconnects. The engine is the caller's. */
  close(): Promise<void>;
}

export interface MqttIngestDeps {
  /** The write engine of this process (@sem/ingest), on its database pool. */
  engine: IngestEngine;
  /** Where the MQTT counters go, beside the engine's series; served on the ops port. */
  metrics: Registry;
  config: MqttIngestConfig;
  log: Logger;
}

/**
 * Wires the MQTT side onto the write engine: registry sync first, so the password file and device
 * lookups are current, then the subscription.
 */
export async function startMqttIngest({ engine, metrics, config, log }: MqttIngestDeps): Promise<MqttIngest> {
  const messages = new Counter({
    name: 'sem_mqtt_messages_total',
    help: 'MQTT uploads by topic kind and outcome (received, stored, rejected, ignored, retries; readings and duplicates count readings).',
    labelNames: ['kind', 'outcome'],
    registers: [metrics],
  });
  const stats = new IngestStats((kind, counter, n) => messages.inc({ kind, outcome: counter }, n));
  const ignored = new Counter({
    name: 'sem_mqtt_ignored_total',
    help: 'MQTT uploads acknowledged without a reading, by topic kind and reason (AmsReader system info, prices, temperatures, ...).',
    labelNames: ['kind', 'reason'],
    registers: [metrics],
  });
  const registry = new RegistrySync({
    db: engine.db,
    log,
    ...(config.accounts
      ? {
          accounts: {
            passwordFile: config.accounts.passwordFile,
            deviceSecret: config.accounts.deviceSecret,
            serviceAccounts: [
              { username: config.broker.username, password: config.broker.password },
              // Home Assistant's own account: reads the discovery messages and states (deploy/mosquitto/acl).
              ...(config.homeAssistant?.password ? [{ username: HA_MQTT_USERNAME, password: config.homeAssistant.password }] : []),
            ],
          },
        }
      : {}),
  });
  // Accounts first: on a fresh install this very file is what lets the ingest service in.
  await registry.syncOnce();

  let lastRefresh = 0;
  const handler = createUploadHandler({
    engine,
    maxReadingsPerMessage: config.ingest.maxReadingsPerRequest,
    async findDevice(name) {
      let device = registry.device(name);
      // A device created since the last poll: look again, at most once a second.
      if (!device && Date.now() - lastRefresh > 1000) {
        lastRefresh = Date.now();
        await registry.refreshDevices();
        device = registry.device(name);
      }
      return device;
    },
  });
  // Served before the subscription: after a restart with a backlog at the broker, the registry's config messages
  // below wait behind it, and /metrics and /healthz should answer meanwhile.
  const live: { subscriber?: IngestSubscriber } = {};
  const ops = config.ops
    ? await startOpsServer({ ...config.ops, registry: metrics, connected: () => live.subscriber?.client.connected ?? false })
    : undefined;
  const subscriber = await startIngestSubscriber({
    broker: config.broker,
    handler,
    stats,
    log,
    onIgnored: (kind, reason) => ignored.inc({ kind, reason }),
  });
  live.subscriber = subscriber;
  registry.attachClient(subscriber.client);
  await registry.syncOnce();
  const stopSync = registry.start(config.registryPollMs);
  const homeAssistant = config.homeAssistant
    ? new HaPublisher({ db: engine.db, client: subscriber.client, log, prefix: config.homeAssistant.prefix, intervalMs: config.homeAssistant.intervalMs })
    : undefined;
  homeAssistant?.start();
  const statsTimer =
    config.statsLogMs > 0 ? setInterval(() => log.info({ mqtt: stats.snapshot() }, 'mqtt ingest counters'), config.statsLogMs) : undefined;
  statsTimer?.unref();

  return {
    stats,
    registry,
    subscriber,
    async close() {
      if (statsTimer) clearInterval(statsTimer);
      await new Promise((r) => (ops ? ops.close(r) : r(undefined)));
      await stopSync();
      await homeAssistant?.stop();
      await subscriber.close();
      log.info({ mqtt: stats.snapshot() }, 'mqtt ingest stopped');
    },
  };
}
