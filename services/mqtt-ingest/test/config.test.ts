import { describe, expect, it } from 'vitest';
import { loadMqttConfig, MqttConfigError } from '../src/config.ts';

const base = { SEM_MQTT_PASSWORD: 'ingest-password' };

describe('mqtt-ingest config', () => {
  it('has working defaults next to the ingest-api variables', () => {
    const c = loadMqttConfig(base);
    expect(c.broker).toMatchObject({ url: 'mqtts://127.0.0.1:8883', username: 'sem-ingest', clientId: 'sem-ingest', ca: undefined });
    expect(c.accounts).toBeUndefined();
    expect(c.ingest.db.database).toBe('sem');
    expect(Object.isFrozen(c.broker)).toBe(true);
  });

  it('names the bad variable', () => {
    expect(() => loadMqttConfig({ ...base, SEM_MQTT_URL: 'http://x' })).toThrow(/SEM_MQTT_URL/);
    expect(() => loadMqttConfig({ ...base, SEM_MQTT_CLIENT_ID: 'has space' })).toThrow(/SEM_MQTT_CLIENT_ID/);
    expect(() => loadMqttConfig({})).toThrow(/SEM_MQTT_PASSWORD/);
    expect(() => loadMqttConfig({ ...base, SEM_MQTT_CA_FILE: '/nonexistent/ca.crt' })).toThrow(/SEM_MQTT_CA_FILE/);
    expect(() => loadMqttConfig({ ...base, SEM_DB_PORT: 'x' })).toThrow(MqttConfigError);
  });

  it('needs a long device secret only when it writes the password file', () => {
    expect(() => loadMqttConfig({ ...base, SEM_MOSQUITTO_PASSWORD_FILE: '/tmp/p' })).toThrow(/SEM_MQTT_DEVICE_SECRET/);
    expect(() => loadMqttConfig({ ...base, SEM_MOSQUITTO_PASSWORD_FILE: '/tmp/p', SEM_MQTT_DEVICE_SECRET: 'short' })).toThrow(/SEM_MQTT_DEVICE_SECRET/);
    const c = loadMqttConfig({ ...base, SEM_MOSQUITTO_PASSWORD_FILE: '/tmp/p', SEM_MQTT_DEVICE_SECRET: 'x'.repeat(32) });
    expect(c.accounts).toEqual({ passwordFile: '/tmp/p', deviceSecret: 'x'.repeat(32) });
  });

  it('takes SEM_MQTT_INFLIGHT as its window, and never sheds by wait: the broker keeps what is not in hand', () => {
    expect(loadMqttConfig(base).broker.inflight).toBe(100);
    const c = loadMqttConfig({ ...base, SEM_MQTT_INFLIGHT: '20', SEM_WRITE_ADMIT_MAX_WAIT_MS: '500', SEM_WRITE_QUEUE_MAX_WAIT_MS: '1000', SEM_WRITE_QUEUE_MAX: '5000' });
    expect(c.broker.inflight).toBe(20);
    expect(c.ingest.writeQueue).toMatchObject({ admitMaxWaitMs: Number.POSITIVE_INFINITY, maxWaitMs: Number.POSITIVE_INFINITY, maxRows: 5000 });
    expect(() => loadMqttConfig({ ...base, SEM_MQTT_INFLIGHT: '0' })).toThrow(/SEM_MQTT_INFLIGHT/);
  });
});
