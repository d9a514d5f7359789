import { ChecksumError, DecryptionError, ProtocolError, UnsupportedError } from '@sem/meter-protocol';
import { IngestError } from './ingest-error.ts';

/** Why a payload or its readings were refused, as one word every adapter reports (HTTP error code, MQTT log, rejects rollup). */
export type RejectReason = 'checksum_mismatch' | 'decryption_failed' | 'unsupported_input' | 'invalid_frame' | 'reading_rejected';

/** The reason for a refusal that retrying cannot change; undefined for anything else (retryable kinds, bugs). */
export function rejectReason(err: unknown): RejectReason | undefined {
  if (err instanceof ChecksumError) return 'checksum_mismatch';
  if (err instanceof DecryptionError) return 'decryption_failed';
  if (err instanceof UnsupportedError) return 'unsupported_input';
  if (err instanceof ProtocolError) return 'invalid_frame';
  if (err instanceof IngestError && err.kind === 'invalid-payload') return 'invalid_frame';
  if (err instanceof IngestError && err.kind === 'invalid-reading') return 'reading_rejected';
  return undefined;
}
