/** A received QoS 1 message waiting for its PUBACK. */
interface Pending {
  messageId: number;
  /** The connection it came on (see InOrderAcks.connectionLost). */
  connection: number;
  /** undefined while in hand; a reason code to acknowledge with, or null for no PUBACK (the broker redelivers it). */
  code: number | null | undefined;
}

/**
 * PUBACKs for messages handled concurrently, sent in the order their PUBLISHes arrived (MQTT 5 §4.6: a client
 * acknowledges QoS 1 messages in order) and each only once its message is finished, i.e. committed. A message
 * still in hand holds back the PUBACKs behind it; they were committed, so if the process dies the broker
 * redelivers them and the write path answers them as duplicates.
 *
 * A PUBACK is never sent on a later connection than its PUBLISH came on: the broker resends unacknowledged
 * messages on the new connection, possibly under other packet ids, and an old id there could acknowledge a
 * different message that was never stored.
 */
export class InOrderAcks {
  readonly #send: (messageId: number, reasonCode: number) => void;
  readonly #queue: Pending[] = [];
  #connection = 0;

  constructor(send: (messageId: number, reasonCode: number) => void) {
    this.#send = send;
  }

  /** Messages received and not yet acknowledged (or given up). */
  get size(): number {
    return this.#queue.length;
  }

  /** Registers a received message; the returned function settles it with its reason code (null: no PUBACK). */
  receive(messageId: number): (code: number | null) => void {
    const entry: Pending = { messageId, connection: this.#connection, code: undefined };
    this.#queue.push(entry);
    return (code) => {
      entry.code = code;
      this.#release();
    };
  }

  /** The connection closed: nothing received so far is acknowledged any more. */
  connectionLost(): void {
    this.#connection += 1;
  }

  #release(): void {
    while (this.#queue.length > 0 && this.#queue[0]!.code !== undefined) {
      const { messageId, connection, code } = this.#queue.shift()!;
      if (typeof code === 'number' && connection === this.#connection) this.#send(messageId, code);
    }
  }
}
