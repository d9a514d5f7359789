// Device admin from the shell: `npm run devices -- <command> ...` or, in the container, `node src/cli/devices.ts ...`.
// Reads the same SEM_DB_* environment as the server.
import { parseArgs } from 'node:util';
import { createKysely } from '@sem/db';
import { loadConfigOrExit } from '../config.ts';
import { deviceByIdOrName, reportCliError, UsageError } from './cli-errors.ts';
import { parseSendInterval } from '../devices/country-profiles.ts';
import { semConfigTxt } from '../legacy/sem-config-txt.ts';
import {
  createDevice,
  deleteDevice,
  getDevice,
  listDevices,
  revokeKeys,
  rotateKey,
  setDeviceConfig,
  type DeviceConfigInput,
  type DeviceView,
} from '../devices/devices.service.ts';

const USAGE = `usage: devices <command> [options]
  add --name NAME [--legacy-key] [--time-zone ZONE] [--country BE|NL|NO|SE|DK|AT|...]
      [--send-interval 60|30s|5m] [--han-key HEX] [--han-auth-key HEX] [meter options]
      [--sem-config --server-ip IP [--server-port 8080] [--post-path /post-data.php]]
      --sem-config: a legacy key, and the SEM firmware's config.txt on stdout (the key is in it)
  list
  show --device ID|NAME
  set-config --device ID|NAME [--name NAME] [--time-zone ZONE] [--country CC] [--send-interval N]
      [--han-key HEX|none] [--han-auth-key HEX] [meter options]
  meter options (value "default" goes back to the country/vendor default):
      [--p1-key HEX|none] [--p1-auth-key HEX]      encrypted P1 (Luxembourg Smarty)
      [--kamstrup-energy-scaler 1|0|default]      Kamstrup registers in 10 Wh (1) or Wh (0)
      [--kamstrup-current-scaler=-2|-3|default]   Kamstrup currents in 0.01 A (-2) or mA (-3, CT meters)
      [--clock-policy deviation|local|standard|default]
  rotate-key --device ID|NAME [--legacy-key | --token] [--keep-old]
  revoke --device ID|NAME [--key-id N]      (without --key-id: every key of the device)
  delete --device ID|NAME
  add --json to any command for JSON output. Keys are printed once, at add and rotate-key.`;

const { values: o, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    name: { type: 'string' },
    device: { type: 'string' },
    'legacy-key': { type: 'boolean' },
    token: { type: 'boolean' },
    'keep-old': { type: 'boolean' },
    'time-zone': { type: 'string' },
    country: { type: 'string' },
    'send-interval': { type: 'string' },
    'han-key': { type: 'string' },
    'han-auth-key': { type: 'string' },
    'p1-key': { type: 'string' },
    'p1-auth-key': { type: 'string' },
    'kamstrup-energy-scaler': { type: 'string' },
    'kamstrup-current-scaler': { type: 'string' },
    'clock-policy': { type: 'string' },
    'key-id': { type: 'string' },
    'sem-config': { type: 'boolean' },
    'server-ip': { type: 'string' },
    'server-port': { type: 'string', default: '8080' },
    'post-path': { type: 'string', default: '/post-data.php' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
});


function configInput(): DeviceConfigInput {
  let sendIntervalSeconds: number | undefined;
  if (o['send-interval'] !== undefined) {
    sendIntervalSeconds = parseSendInterval(o['send-interval']);
    if (sendIntervalSeconds === undefined) throw new UsageError('--send-interval must be 1-3600 seconds, e.g. 10s or 5m');
  }
  const hanKey = o['han-key'] === 'none' ? null : o['han-key'];
  const p1Key = o['p1-key'] === 'none' ? null : o['p1-key'];
  const orDefault = (v: string | undefined) => (v === undefined ? undefined : v === 'default' ? null : v);
  const scaler = (flag: 'kamstrup-energy-scaler' | 'kamstrup-current-scaler') => {
    const v = orDefault(o[flag]);
    if (v === undefined || v === null) return v;
    if (!/^-?\d$/.test(v)) throw new UsageError(`--${flag} must be a number or default`);
    return Number(v);
  };
  return {
    p1EncryptionKey: p1Key,
    p1AuthenticationKey: p1Key === null ? null : o['p1-auth-key'],
    kamstrupEnergyScaler: scaler('kamstrup-energy-scaler'),
    kamstrupCurrentScaler: scaler('kamstrup-current-scaler'),
    clockPolicy: orDefault(o['clock-policy']) as DeviceConfigInput['clockPolicy'],
    name: o.name,
    timeZone: o['time-zone'],
    country: o.country?.toUpperCase(),
    sendIntervalSeconds,
    hanEncryptionKey: hanKey,
    hanAuthenticationKey: hanKey === null ? null : o['han-auth-key'],
  };
}

function describe(d: DeviceView): string {
  const keys = d.keys.map((k) => `    key ${k.id} ${k.format} ${k.hint}… created ${k.createdAt}${k.revokedAt ? ` REVOKED ${k.revokedAt}` : ''}`);
  return [
    `device ${d.id} ${d.name}: zone ${d.timeZone}, country ${d.country}, send every ${d.sendIntervalSeconds}s, HAN key ${d.hasHanKey ? 'set' : 'none'}, P1 key ${d.hasP1Key ? 'set' : 'none'}`,
    `    meter: Kamstrup energy scaler ${d.meter.kamstrupEnergyScaler}, current scaler ${d.meter.kamstrupCurrentScaler}, clock ${d.meter.clockPolicy ?? 'vendor rule'}${d.meter.overrides.length ? ` (set on the device: ${d.meter.overrides.join(', ')})` : ' (country defaults)'}`,
    ...keys,
  ].join('\n');
}

const command = positionals[0];
if (o.help || !command) {
  console.log(USAGE);
  process.exit(command ? 0 : 2);
}

const config = loadConfigOrExit(process.env);
const db = createKysely({ ...config.db, connectionLimit: 2 });

const deviceId = async () => (await deviceByIdOrName(db, o.device)).id;

const print = (json: unknown, text: string) => console.log(o.json ? JSON.stringify(json, null, 2) : text);

try {
  switch (command) {
    case 'add': {
      if (!o.name) throw new UsageError('--name is required');
      if (o['sem-config'] && !o['server-ip']) throw new UsageError('--sem-config needs --server-ip: the address the reader posts to (this host on its LAN)');
      const semConfig = (apiKey: string) => semConfigTxt({ serverIp: o['server-ip']!, port: Number(o['server-port']), postPath: o['post-path']!, apiKey });
      // A bad address fails here, before a device is made whose key nobody would see.
      if (o['sem-config']) semConfig('x'.repeat(19));
      const r = await createDevice(db, { ...configInput(), name: o.name, keyFormat: o['legacy-key'] || o['sem-config'] ? 'legacy' : 'token' });
      if (o['sem-config']) {
        const configTxt = semConfig(r.key.key);
        // stdout is the file itself (`... > config.txt`); what to do with it goes to stderr.
        if (o.json) print({ ...r, configTxt }, '');
        else {
          process.stdout.write(configTxt);
          console.error(`${describe(r.device)}\nconfig.txt above holds its key (shown once). Put your Wi-Fi name and password in place of the placeholders (no = in them), and the file on the reader's SD card. The firmware posts plain HTTP: see docs/deploy.md, HTTPS and plain HTTP.`);
        }
      } else print(r, `${describe(r.device)}\nkey (shown once, store it now): ${r.key.key}`);
      break;
    }
    case 'list': {
      const all = await listDevices(db);
      print(all, all.length ? all.map(describe).join('\n') : 'no devices');
      break;
    }
    case 'show': {
      const d = await getDevice(db, await deviceId());
      print(d, describe(d));
      break;
    }
    case 'set-config': {
      const d = await setDeviceConfig(db, await deviceId(), configInput());
      print(d, describe(d));
      break;
    }
    case 'rotate-key': {
      const format = o['legacy-key'] ? 'legacy' : o.token ? 'token' : undefined;
      const k = await rotateKey(db, await deviceId(), { format, keepOld: o['keep-old'] });
      print(k, `new ${k.format} key ${k.id} (shown once, store it now): ${k.key}${o['keep-old'] ? '' : '\nother keys revoked'}`);
      break;
    }
    case 'revoke': {
      const n = await revokeKeys(db, await deviceId(), o['key-id'] === undefined ? undefined : Number(o['key-id']));
      print({ revoked: n }, `${n} key(s) revoked`);
      break;
    }
    case 'delete': {
      await deleteDevice(db, await deviceId());
      print({ deleted: true }, 'device and its data deleted');
      break;
    }
    default:
      throw new UsageError(`unknown command ${command}\n${USAGE}`);
  }
} catch (err) {
  reportCliError(err);
} finally {
  await db.destroy();
}
