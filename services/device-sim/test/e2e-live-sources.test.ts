import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeTelegram } from '@sem/meter-protocol';
import { P1Replayer } from '../src/replay/p1-replayer.ts';
import { loadCaptures } from '../src/sources/capture-files.ts';
import { ADMIN_TOKEN, runDeviceSim, storedReadings, useE2eApi } from './e2e-harness.ts';
import { freePort } from './api-process.ts';
import { p1Fixture } from './fixtures.ts';

/**
 * Live sources as a real household runs them: a ser2net-style TCP stream that starts mid-telegram,
 * and the CLI fed on stdin, stopped with SIGTERM while the server is away, then restarted: the
 * outbox on disk carries the readings over.
 */
const e2e = useE2eApi();
const CLI = fileURLToPath(new URL('../src/cli.ts', import.meta.url));

/** n live-looking telegrams one second apart, ending a minute ago. */
function telegrams(n: number): string[] {
  const units = loadCaptures(p1Fixture('dp_v5_iskra')).units.flatMap((u) => (u.protocol === 'p1' ? [u.telegram] : []));
  const replayer = new P1Replayer(units, { zone: 'Europe/Brussels' });
  const start = Math.floor(Date.now() / 1000) * 1000 - 60_000 - n * 1000;
  return Array.from({ length: n }, (_, i) => `${replayer.next(start + i * 1000)}\r\n`);
}

async function createDevice(name: string): Promise<string> {
  const res = await fetch(new URL('/api/v1/admin/devices', e2e.api.url), {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name, sendIntervalSeconds: 1 }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { key: { key: string } }).key.key;
}


describe('TCP stream (ser2net)', () => {
  it('resynchronises on a stream joined mid-telegram and forwards every whole telegram once', async () => {
    const sent = telegrams(20);
    const stream = Buffer.from(sent[0]!.slice(137) + sent.slice(1).join(''), 'latin1');
    const server: Server = createServer((socket) => {
      // Odd chunk sizes, as a serial-to-network bridge delivers them.
      let at = 0;
      const timer = setInterval(() => {
        if (at >= stream.length) {
          clearInterval(timer);
          return;
        }
        const size = 1 + ((at * 7919) % 173);
        socket.write(stream.subarray(at, at + size));
        at += size;
      }, 1);
      socket.on('close', () => clearInterval(timer));
      socket.on('error', () => clearInterval(timer));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const key = await createDevice('tcp-meter');
    try {
      const r = await runDeviceSim(['--source', `tcp://127.0.0.1:${port}`, '--post', 'telegram', '--url', e2e.api.url, '--key', key, '--count', '19']);
      e2e.dirs.push(r.dir);
      expect(r.summary).toMatchObject({ readings: 19, acknowledged: 19, rejected: {}, pending: 0 });
    } finally {
      server.close();
    }
    const stored = await storedReadings(e2e.t.db, 'tcp-meter');
    // Forwarded as read (live sources are not rewritten): the meter's own times, the cut first one skipped.
    const expected = sent.slice(1).map((x) => decodeTelegram(x, { timeZone: 'Europe/Brussels' }).meterTime!.getTime());
    expect(stored.map((s) => s.meterTime.getTime())).toEqual(expected.slice(0, 19));
  });
});

describe('CLI on stdin, stopped by SIGTERM while the server is down', () => {
  it('keeps the outbox and sends it after a restart', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'device-sim-cli-'));
    e2e.dirs.push(dir);
    const key = await createDevice('stdin-meter');
    const deadUrl = `http://127.0.0.1:${await freePort()}`;
    const sent = telegrams(12);
    const outbox = join(dir, 'outbox');

    const first = spawn(process.execPath, [CLI, '--source', '-', '--post', 'json', '--url', deadUrl, '--key', key, '--outbox-dir', outbox, '--backoff-max', '500ms'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    first.stdout.on('data', (d: Buffer) => (out += d.toString()));
    first.stdin.write(Buffer.from(sent.join(''), 'latin1'));
    // Wait until all 12 readings are in the outbox file, then stop the device like systemd would.
    const file = () => join(outbox, 'outbox', readdirName(outbox));
    for (let i = 0; i < 200 && !(existsSync(join(outbox, 'outbox')) && lines(file()) >= 12); i++) await new Promise((r) => setTimeout(r, 50));
    first.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => first.once('exit', r));
    expect(code).toBe(3);
    const summary1 = JSON.parse(out.trim());
    expect(summary1).toMatchObject({ readings: 12, acknowledged: 0, pending: 12 });
    expect(summary1.networkErrors).toBeGreaterThan(0);

    const second = spawn(process.execPath, [CLI, '--source', '-', '--post', 'json', '--url', e2e.api.url, '--key', key, '--outbox-dir', outbox], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out2 = '';
    second.stdout.on('data', (d: Buffer) => (out2 += d.toString()));
    second.stdin.end();
    expect(await new Promise<number | null>((r) => second.once('exit', r))).toBe(0);
    expect(JSON.parse(out2.trim())).toMatchObject({ readings: 0, sent: 12, acknowledged: 12, pending: 0 });
    const stored = await storedReadings(e2e.t.db, 'stdin-meter');
    expect(stored).toHaveLength(12);
  });
});

function readdirName(dir: string): string {
  return readdirSync(join(dir, 'outbox')).find((f) => f.endsWith('.jsonl')) ?? 'none';
}

function lines(path: string): number {
  return existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter((l) => l.startsWith('A ')).length : 0;
}

describe('serial port (a pseudo-terminal standing in for /dev/ttyUSB0)', () => {
  it('configures the line with stty and forwards what the meter writes', { timeout: 30_000 }, async () => {
    const key = await createDevice('serial-meter');
    const sent = telegrams(6);
    // Python's pty module gives a real tty pair; the "meter" writes telegrams into the master side.
    const meter = spawn('python3', ['-c', [
      'import os, pty, sys, time, tty, termios',
      'm, s = pty.openpty()',
      // raw from the start, so nothing is cooked (CR to LF) whatever the order of events
      'tty.setraw(s)',
      'print(os.ttyname(s), flush=True)',
      'data = sys.stdin.buffer.read()',
      // the meter starts talking once the device has set the line (a pty starts at 38400 baud)
      'deadline = time.time() + 20',
      'while termios.tcgetattr(s)[4] != termios.B115200 and time.time() < deadline: time.sleep(0.01)',
      'time.sleep(0.2)',
      'for i in range(0, len(data), 64):',
      '    os.write(m, data[i:i+64]); time.sleep(0.002)',
      'time.sleep(30)',
    ].join('\n')], { stdio: ['pipe', 'pipe', 'inherit'] });
    try {
      const tty = await new Promise<string>((resolve) => meter.stdout.once('data', (d: Buffer) => resolve(d.toString().trim())));
      meter.stdin.end(Buffer.from(sent.join(''), 'latin1'));
      const run = runDeviceSim(['--source', tty, '--protocol', 'p1', '--post', 'telegram', '--url', e2e.api.url, '--key', key, '--count', '6']);
      const r = await run;
      e2e.dirs.push(r.dir);
      expect(r.summary).toMatchObject({ readings: 6, acknowledged: 6, rejected: {}, pending: 0 });
      // The device set the P1 line itself: 115200 baud, 8 bits, no parity (a pty starts at 38400).
      const settings = execFileSync('stty', ['-F', tty, '-a']).toString();
      expect(settings).toMatch(/speed 115200 baud/);
      expect(settings).toMatch(/-parenb/);
      expect(settings).toMatch(/\bcs8\b/);
      // The line discipline was raw: CR LF arrive untouched, so every CRC still matches.
      const stored = await storedReadings(e2e.t.db, 'serial-meter');
      expect(stored.map((s) => s.meterTime.getTime())).toEqual(sent.map((x) => decodeTelegram(x).meterTime!.getTime()));
      // Stopping (SIGINT) while the meter is silent must not wait for its next byte.
      const stop = new AbortController();
      const silent = runDeviceSim(['--source', tty, '--protocol', 'p1', '--post', 'telegram', '--url', e2e.api.url, '--key', key], { stop: stop.signal });
      setTimeout(() => stop.abort(), 800);
      const started = Date.now();
      const quiet = await silent;
      e2e.dirs.push(quiet.dir);
      expect(quiet.summary.readings).toBe(0);
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      meter.kill('SIGKILL');
    }
  });
});
