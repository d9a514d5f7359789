/**
 * Why the engine did not store a request, as a closed set: each adapter maps a kind to its own answer
 * (HTTP: status and Retry-After; MQTT: a PUBACK reason code, or no PUBACK so the broker redelivers).
 * - invalid-reading: every reading of the request was refused (details: the per-reading results);
 * - invalid-payload: the payload held no complete telegram or frame;
 * - unknown-device: the device was deleted after its key was checked (a cached key); answer as for an unknown key;
 * - overloaded: the write queue is full or behind; retry after `retryAfterSeconds`;
 * - shutting-down: the engine is closing; retry after `retryAfterSeconds` (another replica may take it);
 * - database-unavailable: the database is away; retry after `retryAfterSeconds`.
 */
export type IngestErrorKind = 'invalid-reading' | 'invalid-payload' | 'unknown-device' | 'overloaded' | 'shutting-down' | 'database-unavailable';

/** Kinds after which the same request may succeed later: nothing was stored. */
export const RETRYABLE_KINDS: ReadonlySet<IngestErrorKind> = new Set(['overloaded', 'shutting-down', 'database-unavailable']);

export class IngestError extends Error {
  readonly kind: IngestErrorKind;
  /** For the retryable kinds: how long a client should wait. */
  readonly retryAfterSeconds: number | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    kind: IngestErrorKind,
    message: string,
    options: { retryAfterSeconds?: number; details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    // A refusal to retry later (overload, shutdown) needs no stack; capturing one costs more than the refusal itself.
    const limit = Error.stackTraceLimit;
    if (RETRYABLE_KINDS.has(kind)) Error.stackTraceLimit = 0;
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    Error.stackTraceLimit = limit;
    this.name = 'IngestError';
    this.kind = kind;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.details = options.details;
  }

  get retryable(): boolean {
    return RETRYABLE_KINDS.has(this.kind);
  }
}
