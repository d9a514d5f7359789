import { connect as tcpConnect } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { deriveMqttPassword } from '../src/broker/device-credentials.ts';
import { renderPasswordFile } from '../src/broker/password-file.ts';
import { configTopic, uploadTopic } from '../src/topics/topic-route.ts';
import { describeWithBroker, startBroker, type TestBroker } from './support/mosquitto-broker.ts';
import { connectAs, refusedConnect } from './support/mqtt-clients.ts';

const SECRET = 'test-secret-for-broker-access';
const AUTH_REFUSED = [134, 135];
const alice = { name: 'alice', keyHash: 'a'.repeat(64) };
const bob = { name: 'bob', keyHash: 'b'.repeat(64) };
const ingest = { username: 'sem-ingest', password: 'ingest-password-123' };
const accounts = () => [
  { username: alice.name, password: deriveMqttPassword(SECRET, alice) },
  { username: bob.name, password: deriveMqttPassword(SECRET, bob) },
  ingest,
];

describeWithBroker('broker access (TLS, per-device accounts, ACL)', () => {
  let broker: TestBroker;
  beforeAll(async () => {
    broker = await startBroker(renderPasswordFile(accounts()));
  });
  afterAll(async () => {
    await broker?.stop();
  });

  it('lets a device in with its derived password and delivers its readings to the ingest account', async () => {
    const sub = await connectAs(broker, ingest.username, ingest.password);
    await sub.subscribeAsync('sem/+/readings', { qos: 1 });
    const received = new Promise<string>((ok) => sub.once('message', (topic) => ok(topic)));
    const device = await connectAs(broker, alice.name, deriveMqttPassword(SECRET, alice));
    // Resolves on a successful PUBACK; a refused publish rejects (see below).
    await device.publishAsync(uploadTopic('alice', 'readings'), '{}', { qos: 1 });
    expect(await received).toBe('sem/alice/readings');
    await device.endAsync();
    await sub.endAsync();
  });

  it('refuses a wrong password, another device\'s password, and anonymous clients', async () => {
    // MQTT 5: 134 bad user name or password / 135 not authorized (Mosquitto 2.0 answers 135).
    expect(AUTH_REFUSED).toContain((await refusedConnect(broker, alice.name, 'wrong')).code);
    expect(AUTH_REFUSED).toContain((await refusedConnect(broker, alice.name, deriveMqttPassword(SECRET, bob))).code);
    expect(AUTH_REFUSED).toContain((await refusedConnect(broker, alice.name, deriveMqttPassword('other-secret', alice))).code);
    expect(AUTH_REFUSED).toContain((await refusedConnect(broker, undefined, undefined)).code);
    expect(AUTH_REFUSED).toContain((await refusedConnect(broker, 'mallory', 'anything')).code);
    // MQTT 3.1.1 clients get the 3.1.1 "not authorized" answer.
    expect((await refusedConnect(broker, alice.name, 'wrong', { protocolVersion: 4 })).code).toBe(5);
  });

  it('refuses publishing as another device, and never delivers it', async () => {
    const sub = await connectAs(broker, ingest.username, ingest.password);
    await sub.subscribeAsync('sem/+/readings', { qos: 1 });
    const seen: string[] = [];
    sub.on('message', (topic, payload) => seen.push(`${topic} ${payload.toString()}`));
    const device = await connectAs(broker, alice.name, deriveMqttPassword(SECRET, alice));
    // MQTT 5 PUBACK reason 135 (not authorized); MQTT.js rejects the publish with it.
    await expect(device.publishAsync(uploadTopic('bob', 'readings'), 'spoof', { qos: 1 })).rejects.toMatchObject({ code: 135 });
    await expect(device.publishAsync('sem/alice/other', 'x', { qos: 1 })).rejects.toMatchObject({ code: 135 });
    // A marker on an allowed topic arrives after anything published before it.
    await device.publishAsync(uploadTopic('alice', 'readings'), 'marker', { qos: 1 });
    await new Promise<void>((ok) => {
      const check = () => (seen.some((s) => s.endsWith('marker')) ? ok() : setTimeout(check, 20));
      check();
    });
    expect(seen).toEqual(['sem/alice/readings marker']);
    await device.endAsync();
    await sub.endAsync();
  });

  it('delivers a device only its own config, whatever it subscribes to, and refuses it publishing config', async () => {
    const service = await connectAs(broker, ingest.username, ingest.password);
    await service.publishAsync(configTopic('alice'), 'for alice', { qos: 1, retain: true });
    await service.publishAsync(configTopic('bob'), 'for bob', { qos: 1, retain: true });
    const device = await connectAs(broker, alice.name, deriveMqttPassword(SECRET, alice));
    const seen: string[] = [];
    device.on('message', (topic, payload) => seen.push(`${topic} ${payload.toString()}`));
    // Mosquitto grants the SUBSCRIBE and filters each delivery through the ACL's read rules.
    await device.subscribeAsync({ 'sem/#': { qos: 1 }, [configTopic('bob')]: { qos: 1 } });
    const other = await connectAs(broker, bob.name, deriveMqttPassword(SECRET, bob));
    await other.publishAsync(uploadTopic('bob', 'readings'), 'bob upload', { qos: 1 });
    await other.endAsync();
    await service.publishAsync(configTopic('alice'), 'alice again', { qos: 1, retain: true });
    await new Promise<void>((ok) => {
      const check = () => (seen.includes('sem/alice/config alice again') ? ok() : setTimeout(check, 20));
      check();
    });
    expect(seen).toEqual(['sem/alice/config for alice', 'sem/alice/config alice again']);
    await expect(device.publishAsync(configTopic('alice'), '{}', { qos: 1, retain: true })).rejects.toMatchObject({ code: 135 });
    await device.endAsync();
    await service.endAsync();
  });

  it('speaks TLS only: a plain MQTT connect on the port gets no CONNACK', async () => {
    const answer = await new Promise<string>((ok) => {
      const socket = tcpConnect(broker.port, '127.0.0.1', () => {
        // MQTT 3.1.1 CONNECT, client id "x", clean session.
        socket.write(Buffer.from('101100044d5154540402003c000178', 'hex'));
      });
      let got = Buffer.alloc(0);
      socket.on('data', (d) => (got = Buffer.concat([got, d])));
      socket.on('close', () => ok(got.toString('hex')));
      socket.on('error', () => undefined);
      setTimeout(() => socket.destroy(), 2000);
    });
    expect(answer.startsWith('20')).toBe(false);
  });

  it('revokes a device removed from the password file at the next reload', async () => {
    const before = await connectAs(broker, bob.name, deriveMqttPassword(SECRET, bob));
    await before.endAsync();
    await broker.reloadPasswords(renderPasswordFile(accounts().filter((a) => a.username !== 'bob')));
    expect(AUTH_REFUSED).toContain((await refusedConnect(broker, bob.name, deriveMqttPassword(SECRET, bob))).code);
    await broker.reloadPasswords(renderPasswordFile(accounts()));
  });
});
