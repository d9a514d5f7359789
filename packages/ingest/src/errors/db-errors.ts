import { IngestError } from './ingest-error.ts';

// mysql2 error codes that mean "the database is not there right now", not "this statement is wrong".
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'PROTOCOL_ENQUEUE_AFTER_FATAL_ERROR',
  'POOL_CLOSED',
  'ER_CON_COUNT_ERROR',
  'ER_SERVER_SHUTDOWN',
  'ER_CONNECTION_KILLED',
  'ER_QUERY_INTERRUPTED',
  'ER_LOCK_WAIT_TIMEOUT',
  'ER_LOCK_DEADLOCK',
  'ER_ACCESS_DENIED_ERROR',
  'ER_DBACCESS_DENIED_ERROR',
  'ER_BAD_DB_ERROR',
  'ER_OPTION_PREVENTS_STATEMENT',
]);

/** Seconds a client should wait before retrying when the database is away. */
export const DB_RETRY_AFTER_S = 5;

export function isDbUnavailable(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  const e = err as { code?: unknown; fatal?: unknown; message?: unknown };
  if (typeof e.code === 'string' && UNAVAILABLE_CODES.has(e.code)) return true;
  if (e.fatal === true) return true;
  // mysql2 reports a pool acquire timeout and a closed pool with these messages and no code.
  return typeof e.message === 'string' && /Pool is closed|connect ETIMEDOUT|Can't add new command when connection is in closed state/.test(e.message);
}

export function isDeadlock(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'ER_LOCK_DEADLOCK' || code === 'ER_LOCK_WAIT_TIMEOUT';
}

// MariaDB refusing a statement for the values in it (strict mode), not for its own state.
const ROW_DATA_CODES = new Set([
  'ER_WARN_DATA_OUT_OF_RANGE',
  'ER_DATA_OUT_OF_RANGE',
  'ER_DATA_TOO_LONG',
  'ER_TRUNCATED_WRONG_VALUE',
  'ER_TRUNCATED_WRONG_VALUE_FOR_FIELD',
  'WARN_DATA_TRUNCATED',
  'ER_BAD_NULL_ERROR',
  'ER_DIVISION_BY_ZERO',
  'ER_CONSTRAINT_FAILED',
  'ER_NO_REFERENCED_ROW_2',
  'ER_NET_PACKET_TOO_LARGE',
]);

/**
 * An error caused by the data of the rows written, so that the same rows without the offending one may
 * commit: a value MariaDB refuses, a value that has no SQL literal (sql-literal.ts), or a merge that
 * keeps meeting another writer's row (WriteConflictError).
 */
export function isRowDataError(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  const e = err as { code?: unknown; name?: unknown; message?: unknown };
  if (typeof e.code === 'string' && ROW_DATA_CODES.has(e.code)) return true;
  if (e.name === 'WriteConflictError') return true;
  return (err instanceof TypeError || err instanceof RangeError) && /in SQL values/.test(String(e.message));
}

export function dbUnavailable(cause: unknown): IngestError {
  return new IngestError('database-unavailable', 'the database is unavailable; nothing was stored, retry later', {
    retryAfterSeconds: DB_RETRY_AFTER_S,
    cause,
  });
}
