import { describe, expect, it } from 'vitest';
import { parseOptions, UsageError } from '../src/cli/options.ts';
import { parseLiveSource } from '../src/sources/live-stream.ts';
import { sttyArgs } from '../src/sources/serial-port.ts';
import { parseDurationMs } from '../src/time/duration.ts';

describe('command line', () => {
  it('parses a one-line serial forwarder', () => {
    const o = parseOptions(['--source', '/dev/ttyUSB0', '--protocol', 'p1', '--post', 'telegram', '--url', 'http://server:8080', '--key', 'sem_x']);
    expect(o).toMatchObject({ source: '/dev/ttyUSB0', protocol: 'p1', post: 'telegram', url: 'http://server:8080', keys: ['sem_x'], rewrite: true });
  });

  it('takes the key and admin token from the environment', () => {
    const o = parseOptions(['--source', 'x.txt'], { SEM_DEVICE_KEY: 'k', SEM_ADMIN_TOKEN: 'a' });
    expect(o.keys).toEqual(['k']);
    expect(o.adminToken).toBe('a');
  });

  it('names the bad flag', () => {
    expect(() => parseOptions(['--source', 'x', '--post', 'xml'])).toThrow(/--post: one of json, telegram, frame, sem, dsmr-reader/);
    expect(() => parseOptions(['--source', 'x', '--zone', 'Mars/Base'])).toThrow(/--zone/);
    expect(() => parseOptions(['--source', 'x', '--duration', 'soon'])).toThrow(/--duration/);
    expect(() => parseOptions(['--post', 'json'])).toThrow(UsageError);
    expect(() => parseOptions(['--source', 'x', '--bogus'])).toThrow(UsageError);
  });

  it('reads durations', () => {
    expect(parseDurationMs('1h')).toBe(3_600_000);
    expect(parseDurationMs('250ms')).toBe(250);
    expect(parseDurationMs('90')).toBe(90_000);
  });

  it('recognises live sources', () => {
    expect(parseLiveSource('tcp://10.0.0.5:2001')).toEqual({ kind: 'tcp', host: '10.0.0.5', port: 2001 });
    expect(parseLiveSource('-')).toEqual({ kind: 'stdin' });
    expect(parseLiveSource('captures/')).toBeUndefined();
  });

  it('sets meter line settings with stty: P1 115200 8N1, DSMR 2.2 9600 7E1, HAN 2400 8E1', () => {
    expect(sttyArgs('/dev/ttyUSB0', { baud: 115200, framing: '8N1' }).join(' ')).toMatch(/^-F \/dev\/ttyUSB0 115200 cs8 -parenb -cstopb raw/);
    expect(sttyArgs('/dev/ttyUSB0', { baud: 9600, framing: '7E1' }).join(' ')).toMatch(/9600 cs7 parenb -parodd -cstopb/);
    expect(sttyArgs('/dev/ttyAMA0', { baud: 2400, framing: '8E1' }).join(' ')).toMatch(/2400 cs8 parenb -parodd/);
  });
});
