// MQTT credentials of a device, for whoever configures it: `npm run credentials -w services/mqtt-ingest -- <device>`.
// Reads the same SEM_DB_* and SEM_MQTT_DEVICE_SECRET environment as the service.
import { createKysely, secretFromEnv } from '@sem/db';
import { deriveMqttPassword, isValidMqttUsername } from '../broker/device-credentials.ts';
import { loadIngestConfig } from '@sem/ingest';
import { listRegistryDevices } from '../registry/device-registry.repository.ts';
import { configTopic, uploadTopic } from '../topics/topic-route.ts';

const name = process.argv[2];
if (!name || name === '-h' || name === '--help') {
  console.log('usage: mqtt-credentials <device name>   (prints the MQTT username, password and topics)');
  process.exit(name ? 0 : 2);
}

let secret: string | undefined;
let db;
try {
  secret = secretFromEnv(process.env, 'SEM_MQTT_DEVICE_SECRET');
  db = createKysely(loadIngestConfig(process.env).db);
} catch (error) {
  console.error((error as Error).message);
  process.exit(2);
}
if (!secret) {
  console.error('missing environment variable SEM_MQTT_DEVICE_SECRET (or SEM_MQTT_DEVICE_SECRET_FILE)');
  process.exit(2);
}

try {
  const device = (await listRegistryDevices(db)).find((d) => d.name === name);
  if (!device) throw new Error(`no device named ${name}`);
  if (!isValidMqttUsername(device.name)) throw new Error(`device name ${name} cannot be an MQTT username: rename it to [A-Za-z0-9_.-]`);
  if (!device.keyHash) throw new Error(`device ${name} has no active key, so no MQTT account: rotate a key first`);
  console.log(
    [
      `username  ${device.name}`,
      `password  ${deriveMqttPassword(secret, { name: device.name, keyHash: device.keyHash })}`,
      `publish   ${uploadTopic(device.name, 'readings')} (JSON), ${uploadTopic(device.name, 'telegram')} (P1),`,
      `          ${uploadTopic(device.name, 'frame')} (HAN bytes or hex), ${uploadTopic(device.name, 'amsreader')} (AmsReader JSON)`,
      `subscribe ${configTopic(device.name)} (retained send interval)`,
      'The password changes when the device key is rotated; it stops working when the keys are revoked.',
    ].join('\n'),
  );
} catch (error) {
  console.error((error as Error).message);
  process.exitCode = 1;
} finally {
  await db.destroy();
}
