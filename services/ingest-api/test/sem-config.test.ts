/**
 * `devices add --sem-config` sets up an original SEM reader in one step: its config.txt, read the way
 * the firmware reads it (first 199 bytes, lines on \n, KEY=value split at the first =), names this
 * server and a working legacy key, which then posts the firmware's form.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { SEM_CONFIG_MAX_BYTES, SemConfigError, semConfigTxt } from '../src/legacy/sem-config-txt.ts';
import { useTestApp } from './test-app.ts';
import { dbConnectionEnv } from '@sem/db/testing';

const run = promisify(execFile);
const CLI = fileURLToPath(new URL('../src/cli/devices.ts', import.meta.url));
const ctx = useTestApp();

/** What the firmware's setting reader returns for KEY: the text after KEY= up to the next = or line end. */
function firmwareSetting(file: string, key: string): string | undefined {
  const buffer = Buffer.from(file).subarray(0, SEM_CONFIG_MAX_BYTES).toString('latin1');
  for (const line of buffer.split('\n')) {
    const [name, value] = line.split('=');
    if (name === key) return value;
  }
  return undefined;
}

async function cli(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  const c = ctx.t.connection;
  const env = { PATH: process.env.PATH ?? '', ...dbConnectionEnv(c) };
  return run(process.execPath, [CLI, ...args], { env });
}

describe('SEM firmware config.txt', () => {
  it('writes every setting the firmware reads, under its size limit', () => {
    const text = semConfigTxt({ serverIp: '192.168.100.200', port: 8080, postPath: '/post-data.php', apiKey: 'Abcdefghij123456789' });
    expect(text).toBe('SSID=YOUR_WIFI_NAME\nPSWD=YOUR_WIFI_PASSWORD\nIP=192.168.100.200\nPORT=8080\nPOST=/post-data.php\nAPIKey=Abcdefghij123456789\n');
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(SEM_CONFIG_MAX_BYTES);
    expect(text).not.toContain('\r');
  });

  it('refuses what the firmware would misread', () => {
    const good = { serverIp: '10.0.0.2', port: 8080, postPath: '/post-data.php', apiKey: 'k'.repeat(19) };
    expect(() => semConfigTxt({ ...good, apiKey: `sem_${'k'.repeat(43)}` })).toThrow(/19 characters/);
    expect(() => semConfigTxt({ ...good, postPath: '/a=b' })).toThrow(SemConfigError);
    expect(() => semConfigTxt({ ...good, serverIp: '10.0.0.2\nAPIKey=x' })).toThrow(SemConfigError);
    expect(() => semConfigTxt({ ...good, port: 0 })).toThrow(/port/);
    expect(() => semConfigTxt({ ...good, postPath: 'post-data.php' })).toThrow(/start with \//);
    expect(() => semConfigTxt({ ...good, postPath: `/${'p'.repeat(150)}` })).toThrow(/bytes/);
  });

  it('devices add --sem-config: the file on stdout holds a new legacy key that posts the firmware form', async () => {
    const { stdout, stderr } = await cli('add', '--name', 'sem-esp', '--sem-config', '--server-ip', '192.168.1.20');
    expect(firmwareSetting(stdout, 'IP')).toBe('192.168.1.20');
    expect(firmwareSetting(stdout, 'PORT')).toBe('8080');
    expect(firmwareSetting(stdout, 'POST')).toBe('/post-data.php');
    expect(firmwareSetting(stdout, 'SSID')).toBe('YOUR_WIFI_NAME');
    const key = firmwareSetting(stdout, 'APIKey')!;
    expect(key).toHaveLength(19);
    expect(stderr).toContain('sem-esp');
    expect(stderr).not.toContain(key);
    const posted = await ctx.app.inject({
      method: 'POST',
      url: firmwareSetting(stdout, 'POST')!,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `api_key=${key}&UL1=230.1&UL2=-1.0&UL3=-1.0&IL1=1.0&IL2=-1.0&IL3=-1.0&Pcl=1.000&Pch=2.000&Ppl=0.000&Pph=0.000&Pc=0.500&Pp=0.000&Vg=-1.000&Vw=-1.000`,
    });
    expect(posted.statusCode, posted.body).toBe(201);
  });

  it('makes no device when the address is missing or bad', async () => {
    await expect(cli('add', '--name', 'sem-x', '--sem-config')).rejects.toThrow(/--server-ip/);
    await expect(cli('add', '--name', 'sem-y', '--sem-config', '--server-ip', 'a=b')).rejects.toThrow(/server address/);
    expect(await ctx.t.db.selectFrom('device').select('name').where('name', 'in', ['sem-x', 'sem-y']).execute()).toEqual([]);
  });
});
