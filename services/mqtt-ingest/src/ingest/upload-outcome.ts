import type { UploadRoute } from '../topics/topic-route.ts';

/**
 * What became of one MQTT message. `stored` and `rejected` are both final: the message is
 * acknowledged. A handler that cannot decide (database down) throws instead, and the message is
 * retried and not acknowledged.
 */
export type UploadOutcome =
  /** readings: new rows or rows that gained values (ingest-api's stored + merged); duplicates added nothing. */
  | {
      status: 'stored';
      readings: number;
      duplicates: number;
      /** The first unset or impossible clock a stored reading carried (stored at its receive time), as sent. */
      meterClockUnset?: string;
    }
  /** Malformed or refused by validation: counted, logged and dropped so it never blocks the queue. */
  | { status: 'rejected'; code: string; reason: string }
  /** Valid but carries no reading (AmsReader system info, prices, temperatures). */
  | { status: 'ignored'; reason: string };

export interface UploadContext {
  /** When the broker delivered it: the reading time for sources that send no meter time. */
  receivedAt: Date;
  qos: 0 | 1 | 2;
  /** Set by the broker on a redelivery (after an ingest crash or disconnect). */
  redelivered: boolean;
}

export type UploadHandler = (route: UploadRoute, payload: Buffer, context: UploadContext) => Promise<UploadOutcome>;
