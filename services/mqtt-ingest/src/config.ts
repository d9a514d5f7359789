import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { Env } from '@sem/db';
import { loadIngestConfig, type IngestConfig, type LogLevel } from '@sem/ingest';
import { ConfigError, deepFreeze, envBool, envInt, envSecret, parseEnv } from '@sem/service-kit';

/** The MQTT ingest service's settings, parsed once at boot from the environment and frozen. */
export interface MqttIngestConfig {
  /** The write engine's settings: the same SEM_DB_* / SEM_WRITE_* / SEM_ROLLUP_* variables as ingest-api. */
  readonly ingest: IngestConfig;
  readonly broker: {
    readonly url: string;
    readonly ca: Buffer | undefined;
    readonly username: string;
    readonly password: string;
    readonly clientId: string;
    /** Messages in hand at once, sent to the broker as MQTT 5 Receive Maximum (SEM_MQTT_INFLIGHT). */
    readonly inflight: number;
  };
  /** Password-file upkeep from the registry; undefined when accounts are managed elsewhere. */
  readonly accounts: { readonly passwordFile: string; readonly deviceSecret: string } | undefined;
  readonly registryPollMs: number;
  readonly statsLogMs: number;
  /** Home Assistant MQTT discovery (SEM_HA_DISCOVERY); undefined = off. */
  readonly homeAssistant: { readonly prefix: string; readonly intervalMs: number; readonly password: string | undefined } | undefined;
  /** /metrics and /healthz; undefined = not served. */
  readonly ops: { readonly host: string; readonly port: number } | undefined;
  readonly logLevel: LogLevel;
}

export class MqttConfigError extends Error {}

const schema = z.object({
  SEM_MQTT_URL: z.string().regex(/^(mqtts|mqtt|wss|ws):\/\/[^/]+/, 'mqtts://host:port').default('mqtts://127.0.0.1:8883'),
  SEM_MQTT_CA_FILE: z.string().min(1).optional(),
  SEM_MQTT_USERNAME: z.string().min(1).default('sem-ingest'),
  SEM_MQTT_CLIENT_ID: z.string().regex(/^[A-Za-z0-9_-]{1,23}$/, '1-23 letters, digits, _ or -').default('sem-ingest'),
  SEM_MOSQUITTO_PASSWORD_FILE: z.string().min(1).optional(),
  SEM_MQTT_INFLIGHT: envInt(1, 65_535).default(100),
  SEM_MQTT_REGISTRY_POLL_MS: envInt(200, 3_600_000).default(5000),
  SEM_MQTT_STATS_LOG_MS: envInt(0, 86_400_000).default(300_000),
  SEM_MQTT_OPS_PORT: envInt(1, 65535).optional(),
  SEM_MQTT_OPS_HOST: z.string().min(1).default('0.0.0.0'),
  SEM_HA_DISCOVERY: envBool.default(false),
  SEM_HA_DISCOVERY_PREFIX: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, _ or -').default('homeassistant'),
  SEM_HA_STATE_INTERVAL_MS: envInt(1000, 3_600_000).default(10_000),
});

/** Parses the environment; throws MqttConfigError naming the first bad variable. */
export function loadMqttConfig(env: Env): MqttIngestConfig {
  try {
    return parse(env);
  } catch (error) {
    if (error instanceof ConfigError) throw new MqttConfigError(error.message);
    throw error;
  }
}

function parse(env: Env): MqttIngestConfig {
  const loaded = loadIngestConfig(env);
  // No shedding by wait: the broker hands over at most SEM_MQTT_INFLIGHT messages and keeps the rest, so the queue is
  // bounded already, and a refused message would only hold back the PUBACKs behind it (and so the broker's window)
  // while it waits to be retried. The row bound (SEM_WRITE_QUEUE_MAX) stays as the backstop.
  const ingest = { ...loaded, writeQueue: { ...loaded.writeQueue, maxWaitMs: Number.POSITIVE_INFINITY, admitMaxWaitMs: Number.POSITIVE_INFINITY } };
  const e = parseEnv(schema, env);
  const password = envSecret(env, 'SEM_MQTT_PASSWORD');
  const deviceSecret = envSecret(env, 'SEM_MQTT_DEVICE_SECRET');
  const haPassword = envSecret(env, 'SEM_HA_MQTT_PASSWORD');
  if (!password) throw new MqttConfigError('missing environment variable SEM_MQTT_PASSWORD (or SEM_MQTT_PASSWORD_FILE)');
  if (e.SEM_MOSQUITTO_PASSWORD_FILE && (!deviceSecret || deviceSecret.length < 32)) {
    throw new MqttConfigError('invalid environment variable SEM_MQTT_DEVICE_SECRET: at least 32 characters are needed to derive device passwords');
  }
  let ca: Buffer | undefined;
  if (e.SEM_MQTT_CA_FILE) {
    try {
      ca = readFileSync(e.SEM_MQTT_CA_FILE);
    } catch (error) {
      throw new MqttConfigError(`invalid environment variable SEM_MQTT_CA_FILE: cannot read ${e.SEM_MQTT_CA_FILE} (${(error as NodeJS.ErrnoException).code})`);
    }
  }
  return deepFreeze({
    ingest,
    broker: { url: e.SEM_MQTT_URL, ca, username: e.SEM_MQTT_USERNAME, password, clientId: e.SEM_MQTT_CLIENT_ID, inflight: e.SEM_MQTT_INFLIGHT },
    accounts: e.SEM_MOSQUITTO_PASSWORD_FILE ? { passwordFile: e.SEM_MOSQUITTO_PASSWORD_FILE, deviceSecret: deviceSecret! } : undefined,
    registryPollMs: e.SEM_MQTT_REGISTRY_POLL_MS,
    statsLogMs: e.SEM_MQTT_STATS_LOG_MS,
    homeAssistant: e.SEM_HA_DISCOVERY
      ? { prefix: e.SEM_HA_DISCOVERY_PREFIX, intervalMs: e.SEM_HA_STATE_INTERVAL_MS, password: haPassword || undefined }
      : undefined,
    ops: e.SEM_MQTT_OPS_PORT === undefined ? undefined : { host: e.SEM_MQTT_OPS_HOST, port: e.SEM_MQTT_OPS_PORT },
    logLevel: ingest.logLevel,
  });
}
