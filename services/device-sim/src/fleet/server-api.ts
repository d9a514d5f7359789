/**
 * The ingest API as a device and a fleet operator see it: the device's own config
 * (GET /api/v1/device, device key) and device management (admin token).
 */
import { backoffDelayMs } from '../net/backoff.ts';

export interface DeviceConfig {
  name?: string;
  timeZone?: string;
  country?: string;
  sendIntervalSeconds?: number;
}

export interface ProvisionedDevice {
  name: string;
  key: string;
}

async function json(res: Response, what: string): Promise<unknown> {
  const text = await res.text();
  if (!res.ok) throw new Error(`${what}: HTTP ${res.status} ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : null;
}

/** The config the server wants this device to apply; undefined when the server cannot say. */
export async function fetchDeviceConfig(baseUrl: string, key: string, timeoutMs = 10_000): Promise<DeviceConfig | undefined> {
  try {
    const res = await fetch(new URL('/api/v1/device', baseUrl), {
      headers: { authorization: `Bearer ${key}` },
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!res.ok) return undefined;
    const body = (await res.json()) as DeviceConfig & { device?: DeviceConfig };
    return body.device ?? body;
  } catch {
    return undefined;
  }
}

/** createDevice, retried with backoff while the API is not reachable yet (a pod starts in no order). */
export async function createDeviceWhenReachable(
  baseUrl: string,
  adminToken: string,
  input: Parameters<typeof createDevice>[2],
  log: (line: string) => void,
  attempts = 12,
): Promise<ProvisionedDevice> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await createDevice(baseUrl, adminToken, input);
    } catch (error) {
      // Only a network failure is worth waiting for; an HTTP answer (401, 400) is final.
      if (!(error instanceof TypeError) || attempt >= attempts) throw error;
      const delay = backoffDelayMs(attempt);
      log(`API not reachable (${(error as Error).message}); retrying in ${delay} ms`);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

/** Creates a device through the admin API and returns its (only ever shown) key. */
export async function createDevice(
  baseUrl: string,
  adminToken: string,
  input: { name: string; keyFormat: 'token' | 'legacy'; timeZone?: string; sendIntervalSeconds?: number },
): Promise<ProvisionedDevice> {
  const { keyFormat, ...config } = input;
  const res = await fetch(new URL('/api/v1/admin/devices', baseUrl), {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    // legacy: the 19-character key the SEM firmware's api_key field can hold
    body: JSON.stringify({ ...config, ...(keyFormat === 'legacy' ? { legacyKey: true } : {}) }),
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await json(res, `creating device ${input.name}`)) as { key?: { key?: string } | string; device?: { name?: string } };
  const key = typeof body.key === 'string' ? body.key : body.key?.key;
  if (!key) throw new Error(`creating device ${input.name}: no key in the answer`);
  return { name: body.device?.name ?? input.name, key };
}
