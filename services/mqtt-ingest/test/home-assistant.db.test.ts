/**
 * Home Assistant MQTT discovery, end to end: the real mqtt-ingest process (SEM_HA_DISCOVERY=true) on
 * a real Mosquitto with the shipped ACL, a reading stored over HTTP (the other adapter), and Home
 * Assistant's own account subscribing. Every payload is held to Home Assistant's documented MQTT
 * discovery rules for sensors and to what its Energy dashboard accepts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import type { TestDatabase } from '@sem/db/testing';
import { startBroker, type TestBroker } from './support/mosquitto-broker.ts';
import { connectAs } from './support/mqtt-clients.ts';
import { ingestEnv, startIngestProcess, type IngestProcess } from './support/ingest-process.ts';
import { addDevice, connectDevice, httpApp, openTestDatabase, until } from './support/mqtt-stack.ts';

const HA_PASSWORD = 'home-assistant-test-password-0123';

// Home Assistant's documentation: sensor device classes and the units and state classes each allows
// (https://www.home-assistant.io/integrations/sensor/#device-class), and the Energy dashboard's needs.
const HA_UNITS: Record<string, string[]> = {
  energy: ['J', 'kJ', 'MJ', 'GJ', 'mWh', 'Wh', 'kWh', 'MWh', 'GWh', 'TWh', 'cal', 'kcal', 'Mcal', 'Gcal'],
  gas: ['L', 'm³', 'ft³', 'CCF', 'MCF'],
  power: ['mW', 'W', 'kW', 'MW', 'GW', 'TW', 'BTU/h'],
  voltage: ['µV', 'mV', 'V', 'kV', 'MV'],
  current: ['mA', 'A'],
};
const TOTAL_CLASSES = ['energy', 'gas'];

/** What is wrong with one discovery message, by Home Assistant's MQTT discovery rules for sensors. */
function discoveryFindings(topic: string, payload: Record<string, any>, prefix = 'homeassistant'): string[] {
  const found: string[] = [];
  // <discovery_prefix>/<component>/[<node_id>/]<object_id>/config, ids of [a-zA-Z0-9_-].
  if (!new RegExp(`^${prefix}/sensor/([a-zA-Z0-9_-]+/)?[a-zA-Z0-9_-]+/config$`).test(topic)) found.push(`topic ${topic}`);
  if (typeof payload.state_topic !== 'string' || /[#+]/.test(payload.state_topic)) found.push('state_topic');
  if (typeof payload.unique_id !== 'string' || payload.unique_id === '') found.push('unique_id (needed for the device registry)');
  if (!Array.isArray(payload.device?.identifiers) || payload.device.identifiers.length === 0) found.push('device.identifiers');
  const units = HA_UNITS[payload.device_class];
  if (!units) found.push(`device_class ${payload.device_class}`);
  else if (!units.includes(payload.unit_of_measurement)) found.push(`unit ${payload.unit_of_measurement} for ${payload.device_class}`);
  const allowedStates = TOTAL_CLASSES.includes(payload.device_class) ? ['total', 'total_increasing'] : ['measurement'];
  if (!allowedStates.includes(payload.state_class)) found.push(`state_class ${payload.state_class} for ${payload.device_class}`);
  if (typeof payload.value_template !== 'string' || !/^\{\{ value_json\.[a-z0-9_]+ \}\}$/.test(payload.value_template)) found.push('value_template');
  return found;
}

describe('Home Assistant MQTT discovery', () => {
  let db: TestDatabase;
  let broker: TestBroker;
  let ingest: IngestProcess;
  let ha: MqttClient;
  const messages = new Map<string, { payload: string; retain: boolean; at: number }[]>();

  beforeAll(async () => {
    db = await openTestDatabase();
    broker = await startBroker('', { entrypoint: true });
    ingest = await startIngestProcess(ingestEnv(db, broker, {
      SEM_HA_DISCOVERY: 'true',
      SEM_HA_MQTT_PASSWORD: HA_PASSWORD,
      SEM_HA_STATE_INTERVAL_MS: '1000',
    }));
    await ingest.waitForLog((l) => l.msg === 'mqtt ingest running', 30_000);
    // Home Assistant's own account, written into the password file by mqtt-ingest.
    ha = await until('the homeassistant account', () => connectAs(broker, 'homeassistant', HA_PASSWORD).catch(() => undefined));
    ha.on('message', (topic, payload, packet) => {
      const list = messages.get(topic) ?? [];
      list.push({ payload: payload.toString(), retain: packet.retain, at: Date.now() });
      messages.set(topic, list);
    });
    await ha.subscribeAsync(['homeassistant/#', 'sem/+/state'], { qos: 1 });
  });
  afterAll(async () => {
    await ha?.endAsync();
    await ingest?.kill('SIGTERM');
    await broker?.stop();
    await db?.destroy();
  });

  it('announces each sensor of a device, retained, as Home Assistant documents them, and publishes its state', async () => {
    const meter = await addDevice(db, { name: 'ha-meter', country: 'BE' });
    const app = await httpApp(db);
    try {
      const res = await app.inject({
        method: 'POST', url: '/api/v1/readings', headers: { authorization: `Bearer ${meter.key}` },
        payload: { time: '2026-11-21T10:00:00+01:00', energyImportT1Kwh: 1234.567, energyImportT2Kwh: 890.123, energyExportT1Kwh: 12.5,
          powerImportW: 1530, voltageL1V: 231.4, currentL1A: 6.52, mbus: [{ channel: 1, value: 112.384, unit: 'm3', deviceType: 3 }] },
      });
      expect(res.statusCode, res.body).toBe(201);
    } finally {
      await app.close();
    }
    const state = await until('the state of ha-meter', async () => messages.get('sem/ha-meter/state')?.at(-1));
    // energy_import: the T1+T2 total every route stores (#15), announced like the tariff registers.
    expect(JSON.parse(state.payload)).toEqual({
      time: '2026-11-21T09:00:00.000Z', energy_import: 2124.69, energy_import_t1: 1234.567, energy_import_t2: 890.123, energy_export_t1: 12.5,
      power_import: 1530, voltage_l1: 231.4, current_l1: 6.52, gas: 112.384,
    });
    const configs = [...messages].filter(([t]) => t.startsWith(`homeassistant/sensor/sem_${meter.id}/`));
    expect(configs.map(([t]) => t.split('/')[3]).sort()).toEqual(['current_l1', 'energy_export_t1', 'energy_import', 'energy_import_t1', 'energy_import_t2', 'gas', 'power_import', 'voltage_l1']);
    for (const [topic, [m]] of configs) {
      const payload = JSON.parse(m!.payload);
      expect(discoveryFindings(topic, payload), topic).toEqual([]);
      expect(payload.state_topic).toBe('sem/ha-meter/state');
    }
    const byKey = Object.fromEntries(configs.map(([t, [m]]) => [t.split('/')[3], JSON.parse(m!.payload)]));
    expect(byKey.energy_import_t1).toMatchObject({ device_class: 'energy', state_class: 'total_increasing', unit_of_measurement: 'kWh' });
    expect(byKey.gas).toMatchObject({ device_class: 'gas', state_class: 'total_increasing', unit_of_measurement: 'm³' });
    expect(byKey.power_import).toMatchObject({ device_class: 'power', state_class: 'measurement', unit_of_measurement: 'W' });
    expect(byKey.voltage_l1).toMatchObject({ device_class: 'voltage', unit_of_measurement: 'V' });
    expect(byKey.current_l1).toMatchObject({ device_class: 'current', unit_of_measurement: 'A' });

    // Retained: Home Assistant starting later still finds them.
    const late = await connectAs(broker, 'homeassistant', HA_PASSWORD);
    const seen: string[] = [];
    late.on('message', (topic, _p, packet) => packet.retain && seen.push(topic));
    await late.subscribeAsync(['homeassistant/#', 'sem/+/state'], { qos: 1 });
    await until('retained messages', async () => seen.length >= configs.length + 1);
    expect(seen).toContain('sem/ha-meter/state');
    await late.endAsync();
  });

  it('publishes at most one state per device per interval, and a device cannot read the announcements', async () => {
    const meter = await addDevice(db, { name: 'ha-burst', country: 'BE' });
    const app = await httpApp(db);
    const start = Date.now();
    try {
      for (let i = 0; i < 6; i++) {
        const res = await app.inject({ method: 'POST', url: '/api/v1/readings', headers: { authorization: `Bearer ${meter.key}` },
          payload: { time: new Date(Date.UTC(2026, 10, 21, 9, 0, i)).toISOString(), powerImportW: 100 + i } });
        expect(res.statusCode).toBe(201);
        await new Promise((r) => setTimeout(r, 250));
      }
    } finally {
      await app.close();
    }
    const last = await until('the newest state of ha-burst', async () => {
      const m = messages.get('sem/ha-burst/state')?.at(-1);
      return m && JSON.parse(m.payload).power_import === 105 ? m : undefined;
    });
    const states = messages.get('sem/ha-burst/state')!;
    const elapsedS = (last.at - start) / 1000;
    expect(states.length).toBeLessThanOrEqual(Math.ceil(elapsedS) + 1);
    expect(states.length).toBeLessThan(6);

    // Mosquitto grants the subscription but delivers nothing the ACL does not let the device read.
    const device = await connectDevice(broker, meter);
    const leaked: string[] = [];
    device.on('message', (topic) => leaked.push(topic));
    await device.subscribeAsync(['homeassistant/#', 'sem/+/state'], { qos: 1 });
    await new Promise((r) => setTimeout(r, 1500));
    expect(leaked).toEqual([]);
    await device.endAsync();
  });
});
