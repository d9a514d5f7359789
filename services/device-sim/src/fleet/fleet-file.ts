import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ProvisionedDevice } from './server-api.ts';

/**
 * The devices a fleet run provisioned, kept beside the outboxes (mode 0600: it holds keys) so a
 * restarted run reuses the same devices and finds their outboxes again.
 */
interface FleetFile {
  url: string;
  devices: ProvisionedDevice[];
}

export function fleetFilePath(outboxDir: string, prefix: string): string {
  return join(outboxDir, `fleet-${prefix}.json`);
}

export function readFleet(path: string, url: string): ProvisionedDevice[] {
  if (!existsSync(path)) return [];
  const file = JSON.parse(readFileSync(path, 'utf8')) as FleetFile;
  return file.url === url ? file.devices : [];
}

export function writeFleet(path: string, url: string, devices: ProvisionedDevice[]): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, JSON.stringify({ url, devices } satisfies FleetFile, null, 2), { mode: 0o600 });
  renameSync(tmp, path);
}
