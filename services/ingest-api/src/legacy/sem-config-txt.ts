/**
 * The original SEM ESP32 firmware's `config.txt` (on its SD card): one `KEY=value` line each for the
 * Wi-Fi network (SSID, PSWD), the server (IP, PORT), the POST path and the device key (APIKey).
 * The firmware reads the first 200 bytes of the file, splits lines on `\n` and each line at `=`,
 * and keeps a trailing `\r`: so LF line ends, no `=` inside a value, and the whole file under 200 bytes.
 * Versions that read no PORT line use their built-in port (8080), which is also our default.
 */
export interface SemConfigTxt {
  readonly serverIp: string;
  readonly port: number;
  readonly postPath: string;
  readonly apiKey: string;
}

/** Bytes the firmware reads of the file (its buffer holds 200 with the closing NUL). */
export const SEM_CONFIG_MAX_BYTES = 199;
/** The firmware's key field holds 19 characters: the legacy key format. */
const SEM_API_KEY_MAX = 19;

export const SEM_CONFIG_SSID_PLACEHOLDER = 'YOUR_WIFI_NAME';
export const SEM_CONFIG_PASSWORD_PLACEHOLDER = 'YOUR_WIFI_PASSWORD';

export class SemConfigError extends Error {}

function plainValue(name: string, value: string): string {
  if (value === '' || /[=\r\n\0]/.test(value)) throw new SemConfigError(`${name} must be non-empty, without =, line breaks or NUL: ${JSON.stringify(value)}`);
  return value;
}

/** The file's text; throws SemConfigError when the firmware could not read it as meant. */
export function semConfigTxt(c: SemConfigTxt): string {
  if (!/^[A-Za-z0-9.:-]{1,63}$/.test(c.serverIp)) throw new SemConfigError(`server address must be an IP address or host name: ${JSON.stringify(c.serverIp)}`);
  if (!Number.isInteger(c.port) || c.port < 1 || c.port > 65535) throw new SemConfigError(`port must be 1-65535: ${c.port}`);
  if (!c.postPath.startsWith('/')) throw new SemConfigError(`POST path must start with /: ${JSON.stringify(c.postPath)}`);
  if (c.apiKey.length > SEM_API_KEY_MAX) throw new SemConfigError(`the firmware holds a key of at most ${SEM_API_KEY_MAX} characters: use a legacy key`);
  const text = [
    `SSID=${SEM_CONFIG_SSID_PLACEHOLDER}`,
    `PSWD=${SEM_CONFIG_PASSWORD_PLACEHOLDER}`,
    `IP=${c.serverIp}`,
    `PORT=${c.port}`,
    `POST=${plainValue('POST path', c.postPath)}`,
    `APIKey=${plainValue('key', c.apiKey)}`,
    '',
  ].join('\n');
  // Room for a real network name and password in place of the placeholders is the user's to keep.
  if (Buffer.byteLength(text) > SEM_CONFIG_MAX_BYTES) throw new SemConfigError(`config.txt would be ${Buffer.byteLength(text)} bytes; the firmware reads ${SEM_CONFIG_MAX_BYTES}`);
  return text;
}
