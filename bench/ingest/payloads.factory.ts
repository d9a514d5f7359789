import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { crc16Arc } from '@sem/meter-protocol';
import { p1Timestamp, P1Replayer } from '@sem/device-sim';
import { rawRequest } from './http-keepalive.client.ts';
import type { DeviceClock } from './device-clock.ts';
import type { DeviceStream } from './load.runner.ts';

export interface BenchDevice {
  id: number;
  key: string;
}

/** A real Fluvius (Belgian e-MUCS 1.7.1) capture: the P1 meter most SEM devices read. */
const ZONE = 'Europe/Brussels';
const CLOCK = '0-0:1.0.0(';

export const P1_TEMPLATE_PATH = fileURLToPath(new URL('../../packages/meter-protocol/fixtures/dsmr/dp_fluvius_v171.txt', import.meta.url));

/** Plausible 1 Hz values of a three-phase household at second `s` (what an updated ESP32 sends as JSON). */
export function jsonReading(timeMs: number, s: number, deviceId: number): Record<string, number | string> {
  const w = 300 + ((s * 37 + deviceId * 101) % 2700);
  return {
    time: new Date(timeMs).toISOString(),
    energyImportT1Kwh: 12_345.678 + s * 0.0008,
    energyImportT2Kwh: 23_456.789,
    energyExportT1Kwh: 1_234.5,
    energyExportT2Kwh: 2_345.6,
    powerImportW: w,
    powerExportW: 0,
    powerImportL1W: Math.round(w / 3),
    powerImportL2W: Math.round(w / 3),
    powerImportL3W: w - 2 * Math.round(w / 3),
    voltageL1V: 230 + (s % 7) / 10,
    voltageL2V: 231 + (s % 5) / 10,
    voltageL3V: 229.5 + (s % 3) / 10,
    currentL1A: Math.round((w / 3 / 230) * 100) / 100,
    currentL2A: Math.round((w / 3 / 231) * 100) / 100,
    currentL3A: Math.round((w / 3 / 229) * 100) / 100,
    tariff: 1,
  };
}

const json = (key: string) => ({ authorization: `Bearer ${key}`, 'content-type': 'application/json' });

/** c: one JSON reading per request, the device's next second on its clock. */
export function singleJsonStream(device: BenchDevice, clock: DeviceClock, path = '/api/v1/readings'): DeviceStream {
  const headers = json(device.key);
  return {
    deviceId: device.id,
    next() {
      const s = clock.take(device.id);
      return { raw: rawRequest(path, headers, JSON.stringify(jsonReading(clock.ms(s), s, device.id))), readings: 1 };
    },
  };
}

/** d: `size` consecutive 1 Hz readings per request (300 = five minutes). */
export function batchJsonStream(device: BenchDevice, clock: DeviceClock, size: number): DeviceStream {
  const headers = json(device.key);
  return {
    deviceId: device.id,
    next() {
      const items = [];
      const first = clock.take(device.id, size);
      for (let s = first; s < first + size; s++) items.push(jsonReading(clock.ms(s), s, device.id));
      return { raw: rawRequest('/api/v1/readings', headers, JSON.stringify(items)), readings: size };
    },
  };
}

/**
 * e: raw P1 telegrams as the meter prints them. The device simulator's replayer renders the first one
 * (clock, registers, CRC); after that only the clock line and the CRC change, because a full render costs
 * ~0.5 ms of load-generator CPU, as much as the server spends on the request.
 */
export function telegramStream(device: BenchDevice, clock: DeviceClock): DeviceStream {
  const at = p1TelegramAt(clock.nextMs(device.id));
  const headers = { authorization: `Bearer ${device.key}`, 'content-type': 'text/plain' };
  return {
    deviceId: device.id,
    next: () => ({ raw: rawRequest('/api/v1/telegrams', headers, Buffer.from(at(clock.ms(clock.take(device.id))), 'latin1')), readings: 1 }),
  };
}

/** Successive telegrams of one meter, one second apart from startMs (see telegramStream). */
export function p1Telegrams(startMs: number): () => string {
  const at = p1TelegramAt(startMs);
  let seq = 0;
  return () => at(startMs + seq++ * 1000);
}

/** The meter's telegram at a whole second `ms` (≥ startMs), rendered from the one at startMs. */
function p1TelegramAt(startMs: number): (ms: number) => string {
  const first = new P1Replayer([readFileSync(P1_TEMPLATE_PATH, 'latin1')], { zone: ZONE }).next(startMs);
  const at = first.indexOf(CLOCK) + CLOCK.length;
  const close = first.indexOf(')', at);
  const bang = first.lastIndexOf('!');
  const [before, middle, after] = [first.slice(0, at), first.slice(close, bang + 1), first.slice(bang + 5)];
  const hours = new Map<number, string>();
  return (ms) => {
    const hour = Math.floor(ms / 3_600_000);
    let hourStamp = hours.get(hour);
    if (!hourStamp) {
      hourStamp = p1Timestamp(ZONE, new Date(hour * 3_600_000)); // YYMMDDhh0000X, tz database decides X
      hours.set(hour, hourStamp);
    }
    const inHour = Math.floor((ms % 3_600_000) / 1000);
    const mmss = `${String(Math.floor(inHour / 60)).padStart(2, '0')}${String(inHour % 60).padStart(2, '0')}`;
    const head = `${before}${hourStamp.slice(0, 8)}${mmss}${hourStamp.slice(12)}${middle}`;
    return head + crc16Arc(Buffer.from(head, 'latin1')).toString(16).toUpperCase().padStart(4, '0') + after;
  };
}

/** f: the SEM ESP32 firmware's form post (no meter time: the server's receive time is the key). */
export function semFormStream(device: BenchDevice): DeviceStream {
  let seq = 0;
  const headers = { 'content-type': 'application/x-www-form-urlencoded' };
  return {
    deviceId: device.id,
    next() {
      const s = seq++;
      const kw = ((300 + ((s * 37) % 2700)) / 1000).toFixed(3);
      const body =
        `api_key=${device.key}&UL1=${(230 + (s % 7) / 10).toFixed(1)}&UL2=231.0&UL3=229.5&IL1=1.2&IL2=0.8&IL3=1.0` +
        `&Pcl=23456.789&Pch=${(12345.678 + s * 0.001).toFixed(3)}&Ppl=1234.500&Pph=2345.600&Pc=${kw}&Pp=0.000&Vg=4567.123&Vw=-1.000`;
      return { raw: rawRequest('/post-data.php', headers, body), readings: 1 };
    },
  };
}
