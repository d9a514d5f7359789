import { execFile } from 'node:child_process';
import { closeSync, constants, openSync } from 'node:fs';
import { isatty, ReadStream } from 'node:tty';
import { promisify } from 'node:util';

/**
 * A serial port read as a plain file after `stty` sets its line discipline: no native addon to
 * build on a Raspberry Pi, only coreutils. The settings are the meters':
 *   P1 DSMR 4/5, e-MUCS: 115200 8N1;  P1 DSMR 2.2/3: 9600 7E1;
 *   HAN M-Bus adapter: 2400 8E1 (Aidon, Kaifa) or 2400 8N1 (Kamstrup).
 */
export type Framing = '8N1' | '7E1' | '8E1' | '7N1' | '8O1';

export interface SerialSettings {
  baud: number;
  framing: Framing;
}

export function defaultSerial(protocol: 'p1' | 'han'): SerialSettings {
  return protocol === 'p1' ? { baud: 115200, framing: '8N1' } : { baud: 2400, framing: '8E1' };
}

/** The stty arguments for raw 8-bit-clean reading with the given framing. */
export function sttyArgs(device: string, s: SerialSettings): string[] {
  const [bits, parity] = [s.framing[0], s.framing[1]];
  const parityArgs = parity === 'N' ? ['-parenb'] : parity === 'E' ? ['parenb', '-parodd'] : ['parenb', 'parodd'];
  return [
    '-F', device, String(s.baud),
    `cs${bits}`, ...parityArgs, '-cstopb',
    // raw: no line editing, no CR/LF translation, no flow control, reads return what arrived
    'raw', '-echo', '-ixon', '-ixoff', '-crtscts', 'clocal', 'cread', 'min', '1', 'time', '0',
  ];
}

export async function configureSerial(device: string, s: SerialSettings): Promise<void> {
  await promisify(execFile)('stty', sttyArgs(device, s));
}

/**
 * Opens the configured port for reading; chunks arrive as the meter sends them. A serial port is a
 * tty, so it is read through libuv's tty handle (event loop, non-blocking): a plain file stream
 * would park a blocking read() in the thread pool, and stopping would wait for the meter's next byte.
 */
export async function openSerial(device: string, s: SerialSettings): Promise<NodeJS.ReadableStream> {
  await configureSerial(device, s);
  const fd = openSync(device, constants.O_RDONLY | constants.O_NOCTTY | constants.O_NONBLOCK);
  if (!isatty(fd)) {
    closeSync(fd);
    throw new Error(`${device} is not a serial port (not a tty)`);
  }
  return new ReadStream(fd);
}
