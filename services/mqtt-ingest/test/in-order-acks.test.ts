import { describe, expect, it } from 'vitest';
import { InOrderAcks } from '../src/ingest/in-order-acks.ts';

describe('PUBACKs of messages handled at once', () => {
  const record = () => {
    const sent: [number, number][] = [];
    return { sent, acks: new InOrderAcks((id, code) => sent.push([id, code])) };
  };

  it('go out in arrival order, each once its message is finished, whatever order they finish in', () => {
    const { sent, acks } = record();
    const [a, b, c] = [acks.receive(1), acks.receive(2), acks.receive(3)];
    c(0);
    b(0x99);
    expect(sent).toEqual([]);
    expect(acks.size).toBe(3);
    a(0);
    expect(sent).toEqual([[1, 0], [2, 0x99], [3, 0]]);
    expect(acks.size).toBe(0);
  });

  it('skip a message given up without PUBACK (the broker redelivers it) and release the ones behind it', () => {
    const { sent, acks } = record();
    const [a, b] = [acks.receive(7), acks.receive(8)];
    b(0);
    a(null);
    expect(sent).toEqual([[8, 0]]);
  });

  it('are never sent on a later connection than their message came on', () => {
    const { sent, acks } = record();
    const old = acks.receive(5);
    acks.connectionLost();
    // The broker resends message 5 on the new connection, maybe under another id; only that copy is acknowledged.
    const again = acks.receive(5);
    old(0);
    again(0);
    expect(sent).toEqual([[5, 0]]);
    const next = acks.receive(6);
    next(0);
    expect(sent).toEqual([[5, 0], [6, 0]]);
  });
});
