// What the command-line tools share: usage errors (exit 2), errors for the user (exit 1), and the device by id or name.
import type { Kysely } from 'kysely';
import type { Database } from '@sem/db';
import { getDevice, type DeviceView } from '../devices/devices.service.ts';

export class UsageError extends Error {}

/** Prints the error for the user and sets the exit code: 2 for usage, 1 otherwise. */
export function reportCliError(err: unknown): void {
  console.error(`error: ${(err as Error).message ?? err}`);
  process.exitCode = err instanceof UsageError ? 2 : 1;
}

/** The device named by `--device ID|NAME`. */
export async function deviceByIdOrName(db: Kysely<Database>, text: string | undefined): Promise<DeviceView> {
  if (!text) throw new UsageError('--device ID|NAME is required');
  return getDevice(db, /^\d+$/.test(text) ? Number(text) : text);
}

