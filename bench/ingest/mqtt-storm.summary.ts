import type { BrokerSettings } from './mqtt-broker.process.ts';

/** The MQTT reconnect storm against its goals: drain ≤ 1.3 × ideal, 0 lost, 0 duplicated (issue #20). */
export interface MqttStormSummary {
  broker: BrokerSettings;
  /** SEM_MQTT_INFLIGHT of the service in the storm. */
  inflight: number;
  readingsPerMessage: number;
  /** The MQTT path's maximum (readings/s) with one message in hand at a time (the service before #20) and with `inflight`. */
  maxOneAtATime: number | undefined;
  max: number;
  devices: number;
  messages: number;
  readings: number;
  publishedS: number;
  drainS: number;
  idealS: number;
  goodput: number;
  /** Readings stored per second during the drain (differences of the cumulative counter). */
  perSecond: number[];
  retries: number;
  duplicates: number;
  rejected: number;
  failedDevices: number;
  lost: number;
  extra: number;
  serviceCpu: number;
}

const n0 = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? '—' : Math.round(v).toLocaleString('en-US'));
const n1 = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? '—' : v.toFixed(1));
const mark = (ok: boolean) => (ok ? '✅' : '❌');

export function renderMqttStorm(m: MqttStormSummary | undefined): string[] {
  if (!m) return [];
  const ratio = m.drainS / m.idealS;
  return [
    '',
    `MQTT reconnect storm: ${n0(m.devices)} devices × ${n0(m.messages / m.devices)} QoS 1 messages of ${m.readingsPerMessage} readings (10 min at 1 Hz) reconnect within one second to a private Mosquitto (max_inflight_messages ${m.broker.maxInflightMessages}, max_queued_messages ${n0(m.broker.maxQueuedMessages)}); mqtt-ingest with SEM_MQTT_INFLIGHT=${m.inflight}. Max of the MQTT path in the same run: ${n0(m.max)} readings/s (one message at a time: ${n0(m.maxOneAtATime)} readings/s).`,
    '',
    '| readings | broker had every outbox s | drain s | ideal s (readings ÷ max) | drain ÷ ideal | goodput readings/s | goodput ÷ max | retried messages | duplicates | rejected | devices failed | lost | stored twice | mqtt-ingest CPU |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    `| ${n0(m.readings)} | ${n1(m.publishedS)} | ${n1(m.drainS)} | ${n1(m.idealS)} | ${n1(ratio)} ${mark(ratio <= 1.3)} | ${n0(m.goodput)} | ${(m.goodput / m.max).toFixed(2)} | ${n0(m.retries)} | ${n0(m.duplicates)} | ${n0(m.rejected)} | ${n0(m.failedDevices)} | ${n0(m.lost)} ${mark(m.lost === 0)} | ${n0(m.extra)} ${mark(m.extra === 0)} | ${Math.round(m.serviceCpu * 100)} % |`,
    '',
    `Readings stored per second during the drain: ${m.perSecond.join(' ')}`,
  ];
}
