/**
 * Form encoding exactly as Python's `urllib.parse.urlencode` (quote_plus) does it, because the
 * dsmr-reader datalogger posts through `requests`: letters, digits and `_.-~` stay, space is `+`,
 * everything else is %XX of its UTF-8 bytes (upper-case hex). `URLSearchParams` differs on `*` and `~`.
 */
export function quotePlus(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9_.\-~]/.test(c)) out += c;
    else if (byte === 0x20) out += '+';
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
