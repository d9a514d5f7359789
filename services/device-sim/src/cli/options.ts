import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { assertTimeZone } from '@sem/meter-protocol';
import { POST_FORMATS, type PostFormat } from '../post/post-format.ts';
import type { Framing } from '../sources/serial-port.ts';
import { parseDurationMs } from '../time/duration.ts';

/** Every command-line flag, parsed and checked once; a bad flag fails at start and is named. */
export interface SimOptions {
  source: string;
  protocol: 'p1' | 'han' | undefined;
  post: PostFormat;
  url: string;
  /** PEM text of the CA that HTTPS URLs are verified against (instead of the system's). */
  ca: string | undefined;
  keys: string[];
  keysFile: string | undefined;
  adminToken: string | undefined;
  devices: number;
  namePrefix: string;
  intervalMs: number | undefined;
  jitter: number;
  batchIntervalMs: number | undefined;
  batchMax: number;
  durationMs: number | undefined;
  count: number | undefined;
  speed: number;
  virtual: boolean;
  startMs: number | undefined;
  rewrite: boolean;
  zone: string | undefined;
  gasM3PerHour: number;
  waterM3PerHour: number;
  vary: number;
  baud: number | undefined;
  framing: Framing | undefined;
  outboxDir: string;
  outboxMax: number;
  drainTimeoutMs: number;
  requestTimeoutMs: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  followServerInterval: boolean;
  dsmrAuth: 'x-authkey' | 'token';
  kamstrupEnergyScaler: number | undefined;
  hanKey: string | undefined;
  hanAuthKey: string | undefined;
  summaryFile: string | undefined;
  recordDir: string | undefined;
  quiet: boolean;
  help: boolean;
}

export class UsageError extends Error {}

const FLAGS = {
  source: { type: 'string', short: 's' },
  protocol: { type: 'string' },
  post: { type: 'string', default: 'json' },
  url: { type: 'string', default: 'http://127.0.0.1:8080' },
  ca: { type: 'string' },
  key: { type: 'string', multiple: true },
  'keys-file': { type: 'string' },
  'admin-token': { type: 'string' },
  devices: { type: 'string', short: 'n' },
  'name-prefix': { type: 'string', default: 'sim' },
  interval: { type: 'string' },
  jitter: { type: 'string', default: '0.1' },
  'batch-interval': { type: 'string' },
  'batch-max': { type: 'string', default: '500' },
  duration: { type: 'string' },
  count: { type: 'string' },
  speed: { type: 'string', default: '1' },
  virtual: { type: 'boolean', default: false },
  start: { type: 'string' },
  'no-rewrite': { type: 'boolean', default: false },
  zone: { type: 'string' },
  'gas-rate': { type: 'string', default: '0.15' },
  'water-rate': { type: 'string', default: '0.012' },
  vary: { type: 'string', default: '0' },
  baud: { type: 'string' },
  framing: { type: 'string' },
  'outbox-dir': { type: 'string', default: '.device-sim' },
  'outbox-max': { type: 'string', default: '100000' },
  'drain-timeout': { type: 'string', default: '60s' },
  'request-timeout': { type: 'string', default: '10s' },
  'backoff-base': { type: 'string', default: '500ms' },
  'backoff-max': { type: 'string', default: '60s' },
  'ignore-server-interval': { type: 'boolean', default: false },
  'dsmr-auth': { type: 'string', default: 'x-authkey' },
  'kamstrup-energy-scaler': { type: 'string' },
  'han-key': { type: 'string' },
  'han-auth-key': { type: 'string' },
  'summary-file': { type: 'string' },
  record: { type: 'string' },
  quiet: { type: 'boolean', short: 'q', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

function number(name: string, text: string | undefined, min: number, max: number, integer = false): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
    throw new UsageError(`--${name}: expected ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, got "${text}"`);
  }
  return n;
}

function duration(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  try {
    return parseDurationMs(text);
  } catch (error) {
    throw new UsageError(`--${name}: ${(error as Error).message}`);
  }
}

function oneOf<T extends string>(name: string, text: string | undefined, allowed: readonly T[]): T | undefined {
  if (text === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(text)) throw new UsageError(`--${name}: one of ${allowed.join(', ')}, got "${text}"`);
  return text as T;
}

// Compose hands secrets over as files (/run/secrets/...); a trailing newline is not part of the token.
function tokenFromFile(path: string | undefined): string | undefined {
  if (!path) return undefined;
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (error) {
    throw new UsageError(`SEM_ADMIN_TOKEN_FILE: cannot read ${path}: ${(error as Error).message}`);
  }
}

// The set-up's local CA (deploy/secrets/mqtt-tls/ca.crt), read once at start so a wrong path fails there.
function caFile(path: string | undefined): string | undefined {
  if (path === undefined) return undefined;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`--ca: cannot read ${path}: ${(error as Error).message}`);
  }
  if (!text.includes('-----BEGIN CERTIFICATE-----')) throw new UsageError(`--ca: ${path} holds no PEM certificate`);
  return text;
}

function hexKey(name: string, text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  if (!/^[0-9a-fA-F]{32}$/.test(text)) throw new UsageError(`--${name}: expected 32 hex digits (an AES-128 key)`);
  return text;
}

/** Parses argv (without node and script); environment fallbacks: SEM_DEVICE_KEY, SEM_ADMIN_TOKEN, SEM_ADMIN_TOKEN_FILE. */
export function parseOptions(argv: string[], env: Record<string, string | undefined> = {}): SimOptions {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: FLAGS, allowPositionals: false, strict: true }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const help = values.help === true;
  if (!values.source && !help) throw new UsageError('--source is required (a capture file or folder, /dev/tty..., tcp://host:port, or - for stdin)');
  const zone = values.zone;
  if (zone !== undefined) {
    try {
      assertTimeZone(zone);
    } catch {
      throw new UsageError(`--zone: unknown IANA time zone "${zone}"`);
    }
  }
  const start = values.start;
  const startMs = start === undefined ? undefined : Date.parse(start);
  if (startMs !== undefined && Number.isNaN(startMs)) throw new UsageError(`--start: not an ISO date-time: "${start}"`);
  const keys = [...(values.key ?? [])];
  if (keys.length === 0 && env.SEM_DEVICE_KEY) keys.push(env.SEM_DEVICE_KEY);
  return {
    source: values.source ?? '',
    protocol: oneOf('protocol', values.protocol, ['p1', 'han'] as const),
    post: oneOf('post', values.post, POST_FORMATS)!,
    url: values.url!,
    ca: caFile(values.ca),
    keys,
    keysFile: values['keys-file'],
    adminToken: values['admin-token'] ?? env.SEM_ADMIN_TOKEN ?? tokenFromFile(env.SEM_ADMIN_TOKEN_FILE),
    devices: number('devices', values.devices, 1, 100_000, true) ?? 1,
    namePrefix: values['name-prefix']!,
    intervalMs: duration('interval', values.interval),
    jitter: number('jitter', values.jitter, 0, 1)!,
    batchIntervalMs: duration('batch-interval', values['batch-interval']),
    batchMax: number('batch-max', values['batch-max'], 1, 100_000, true)!,
    durationMs: duration('duration', values.duration),
    count: number('count', values.count, 1, Number.MAX_SAFE_INTEGER, true),
    speed: number('speed', values.speed, 0.001, 1_000_000)!,
    virtual: values.virtual === true,
    startMs,
    rewrite: values['no-rewrite'] !== true,
    zone,
    gasM3PerHour: number('gas-rate', values['gas-rate'], 0, 1000)!,
    waterM3PerHour: number('water-rate', values['water-rate'], 0, 1000)!,
    vary: number('vary', values.vary, 0, 1)!,
    baud: number('baud', values.baud, 50, 4_000_000, true),
    framing: oneOf('framing', values.framing, ['8N1', '7E1', '8E1', '7N1', '8O1'] as const),
    outboxDir: values['outbox-dir']!,
    outboxMax: number('outbox-max', values['outbox-max'], 1, 100_000_000, true)!,
    drainTimeoutMs: duration('drain-timeout', values['drain-timeout'])!,
    requestTimeoutMs: duration('request-timeout', values['request-timeout'])!,
    backoffBaseMs: duration('backoff-base', values['backoff-base'])!,
    backoffMaxMs: duration('backoff-max', values['backoff-max'])!,
    followServerInterval: values['ignore-server-interval'] !== true,
    dsmrAuth: oneOf('dsmr-auth', values['dsmr-auth'], ['x-authkey', 'token'] as const)!,
    kamstrupEnergyScaler: number('kamstrup-energy-scaler', values['kamstrup-energy-scaler'], -9, 9, true),
    hanKey: hexKey('han-key', values['han-key']),
    hanAuthKey: hexKey('han-auth-key', values['han-auth-key']),
    summaryFile: values['summary-file'],
    recordDir: values.record,
    quiet: values.quiet === true,
    help,
  };
}

export const USAGE = `sem-device-sim: a meter reader on the command line (replay, serial, TCP, stdin) posting to the SEM ingest API

  npm run sim -w services/device-sim -- --source <capture|/dev/ttyUSB0|tcp://host:port|-> [options]

See services/device-sim/README.md for every flag.`;
