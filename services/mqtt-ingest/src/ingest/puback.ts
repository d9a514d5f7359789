import type { MqttClient } from 'mqtt';

/**
 * Given to MQTT.js's handleMessage callback for a QoS 1 message: MQTT.js then sends no PUBACK of its own and
 * hands over the next message. MQTT.js acknowledges one message at a time, after the previous one's PUBACK, and
 * has no public call for a PUBACK sent later (MQTT.js issue #691); ours goes out after the message's commit.
 */
export const PUBACK_OURS = new Error('PUBACK sent by the ingest after COMMIT');

/** The packet writer MQTT.js uses for its own PUBACKs (lib/handlers/publish.ts); checked at start-up. */
interface PacketWriter {
  _sendPacket(packet: { cmd: 'puback'; messageId: number; reasonCode: number }, cb?: (err?: Error) => void): void;
}

export function assertPubackWriter(client: MqttClient): void {
  if (typeof (client as unknown as Partial<PacketWriter>)._sendPacket !== 'function') {
    throw new Error('this MQTT.js has no _sendPacket: the ingest cannot send its PUBACKs after COMMIT');
  }
}

/**
 * Sends a PUBACK now, on the client's current connection only (never stored for a later one). A packet sent is
 * the keepalive MQTT asks of a client, so the ping waits: in the reconnect storms of the bench the ping's answer
 * queued behind a window of messages and the connection was dropped for a keepalive timeout (its messages then
 * redelivered) once per storm.
 */
export function sendPuback(client: MqttClient, messageId: number, reasonCode: number): void {
  if (!client.connected) return;
  (client as unknown as PacketWriter)._sendPacket({ cmd: 'puback', messageId, reasonCode });
  client.reschedulePing();
}
