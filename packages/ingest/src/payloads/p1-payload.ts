import { decodeTelegrams, type Reading } from '@sem/meter-protocol';
import { IngestError } from '../errors/ingest-error.ts';

/**
 * P1 text (one or more telegrams) to readings in the device's zone. Protocol errors (CRC, malformed
 * lines) are thrown as meter-protocol's ProtocolError; text without a complete telegram as invalid-payload.
 */
export function decodeP1Text(text: string, timeZone: string): Reading[] {
  const readings = decodeTelegrams(text, { timeZone });
  if (readings.length === 0) throw new IngestError('invalid-payload', 'no complete telegram (from / to !CRC) found');
  return readings;
}
