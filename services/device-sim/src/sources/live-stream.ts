import { createReadStream } from 'node:fs';
import { connect } from 'node:net';
import { realSleep } from '../time/clock.ts';
import { backoffDelayMs } from '../net/backoff.ts';
import type { MeterProtocol, TimedUnit } from './meter-unit.ts';
import { openSerial, type SerialSettings } from './serial-port.ts';
import { UnitSplitter } from './unit-splitter.ts';

/**
 * Live sources: a serial device, a ser2net-style TCP stream (`tcp://host:port`) or stdin. Each is a
 * byte stream cut into units by the library's splitter; TCP reconnects with backoff when dropped.
 */
export type LiveSourceSpec =
  | { kind: 'serial'; path: string; serial: SerialSettings }
  | { kind: 'tcp'; host: string; port: number }
  | { kind: 'file'; path: string }
  | { kind: 'stdin' };

export function parseLiveSource(text: string): LiveSourceSpec | undefined {
  if (text === '-' || text === 'stdin') return { kind: 'stdin' };
  const tcp = /^tcp:\/\/(\[[^\]]+\]|[^:/]+):(\d+)\/?$/.exec(text);
  if (tcp) return { kind: 'tcp', host: tcp[1]!.replace(/^\[|\]$/g, ''), port: Number(tcp[2]) };
  return undefined;
}

async function* chunksOf(stream: NodeJS.ReadableStream, signal: AbortSignal): AsyncGenerator<Uint8Array> {
  const onAbort = () => (stream as unknown as { destroy?: () => void }).destroy?.();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    for await (const chunk of stream) {
      if (signal.aborted) return;
      yield typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : (chunk as Uint8Array);
    }
  } catch (error) {
    if (!signal.aborted) throw error;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

async function* tcpChunks(host: string, port: number, signal: AbortSignal, onError: (e: Error) => void): AsyncGenerator<Uint8Array> {
  let attempt = 0;
  while (!signal.aborted) {
    const socket = connect({ host, port });
    let connected = false;
    socket.once('connect', () => {
      connected = true;
      attempt = 0;
    });
    try {
      for await (const chunk of chunksOf(socket, signal)) yield chunk;
    } catch (error) {
      onError(error as Error);
    } finally {
      socket.destroy();
    }
    if (signal.aborted) return;
    if (!connected) attempt++;
    await realSleep(backoffDelayMs(Math.max(1, attempt)), signal);
  }
}

/** Units from a live source as they arrive, stamped with the wall clock. */
export async function* liveUnits(
  spec: LiveSourceSpec,
  protocol: MeterProtocol,
  signal: AbortSignal,
  onError: (e: Error) => void = () => {},
): AsyncGenerator<TimedUnit> {
  const splitter = new UnitSplitter(protocol);
  const chunks =
    spec.kind === 'tcp'
      ? tcpChunks(spec.host, spec.port, signal, onError)
      : chunksOf(
          spec.kind === 'stdin' ? process.stdin : spec.kind === 'file' ? createReadStream(spec.path) : await openSerial(spec.path, spec.serial),
          signal,
        );
  for await (const chunk of chunks) {
    for (const unit of splitter.push(chunk)) yield { atMs: Date.now(), unit };
  }
  for (const unit of splitter.end()) yield { atMs: Date.now(), unit };
}
