import type { Kysely } from 'kysely';
import type { MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { Database } from '@sem/db';
import { deriveMqttPassword, isValidMqttUsername } from '../broker/device-credentials.ts';
import { renderPasswordFile, type BrokerAccount } from '../broker/password-file.ts';
import { writePasswordFileIfChanged } from '../broker/password-file-writer.ts';
import { clearDeviceConfig, deviceConfigPayload, publishDeviceConfig } from '../config-downlink/device-config.ts';
import { listRegistryDevices, type RegistryDevice } from './device-registry.repository.ts';

export interface RegistrySyncOptions {
  db: Kysely<Database>;
  log: Logger;
  /** Password file upkeep; omitted when accounts are managed elsewhere. */
  accounts?: {
    passwordFile: string;
    deviceSecret: string;
    /** Service accounts written alongside the devices (the ingest service itself). */
    serviceAccounts: readonly BrokerAccount[];
  };
}

export interface RegistrySnapshot {
  devices: Map<string, RegistryDevice>;
  passwordFileWritten: boolean;
  configsPublished: string[];
  configsCleared: string[];
}

/**
 * Brings the broker in line with the device registry: the password file (accounts) and each
 * device's retained config message. Run at start and then on a timer, so a change made through
 * the CLI, the admin API or straight in the database reaches devices within one poll.
 */
export class RegistrySync {
  private readonly published = new Map<string, string>();
  private byName = new Map<string, RegistryDevice>();
  private readonly options: RegistrySyncOptions;
  /** The ingest client (allowed to publish sem/+/config); configs wait until it is attached. */
  private client: MqttClient | undefined;

  constructor(options: RegistrySyncOptions) {
    this.options = options;
  }

  attachClient(client: MqttClient): void {
    this.client = client;
  }

  /** The device called `name` as of the last sync. */
  device(name: string): RegistryDevice | undefined {
    return this.byName.get(name);
  }

  /** Refreshes the device list only (used when an upload names a device not seen yet). */
  async refreshDevices(): Promise<void> {
    const devices = await listRegistryDevices(this.options.db);
    this.byName = new Map(devices.map((d) => [d.name, d]));
  }

  async syncOnce(): Promise<RegistrySnapshot> {
    const { log, accounts } = this.options;
    const client = this.client;
    await this.refreshDevices();
    const devices = [...this.byName.values()];

    let passwordFileWritten = false;
    if (accounts) {
      const deviceAccounts: BrokerAccount[] = [];
      for (const d of devices) {
        if (d.keyHash === null) continue;
        if (!isValidMqttUsername(d.name)) {
          log.warn({ device: d.name }, 'device name cannot be an MQTT username ([A-Za-z0-9_.-], not reserved): no MQTT account');
          continue;
        }
        deviceAccounts.push({ username: d.name, password: deriveMqttPassword(accounts.deviceSecret, { name: d.name, keyHash: d.keyHash }) });
      }
      const content = renderPasswordFile([...deviceAccounts, ...accounts.serviceAccounts]);
      passwordFileWritten = await writePasswordFileIfChanged(accounts.passwordFile, content);
      if (passwordFileWritten) log.info({ accounts: deviceAccounts.length }, 'broker password file rewritten from the registry');
    }

    const configsPublished: string[] = [];
    const configsCleared: string[] = [];
    if (!client) return { devices: this.byName, passwordFileWritten, configsPublished, configsCleared };
    for (const d of devices) {
      if (!isValidMqttUsername(d.name)) continue;
      if (this.published.get(d.name) === deviceConfigPayload(d.sendIntervalS)) continue;
      const payload = await publishDeviceConfig(client, d);
      this.published.set(d.name, payload);
      configsPublished.push(d.name);
    }
    for (const name of this.published.keys()) {
      if (this.byName.has(name)) continue;
      await clearDeviceConfig(client, name);
      this.published.delete(name);
      configsCleared.push(name);
    }
    if (configsPublished.length > 0 || configsCleared.length > 0) {
      log.info({ published: configsPublished, cleared: configsCleared }, 'device config messages updated');
    }
    return { devices: this.byName, passwordFileWritten, configsPublished, configsCleared };
  }

  /** Runs syncOnce every `intervalMs` until the returned stop function is called. */
  start(intervalMs: number): () => Promise<void> {
    let stopped = false;
    let running: Promise<unknown> | null = null;
    const timer = setInterval(() => {
      // A slow sync (broker or database away) is not stacked up: the next tick after it runs.
      if (stopped || running) return;
      running = this.syncOnce()
        .catch((error: unknown) => this.options.log.error({ err: error }, 'registry sync failed; will retry'))
        .finally(() => (running = null));
    }, intervalMs);
    return async () => {
      stopped = true;
      clearInterval(timer);
      if (running) await running;
    };
  }
}
