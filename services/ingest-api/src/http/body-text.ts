import { bytesToText } from '@sem/ingest';

const latin1 = new TextDecoder('latin1');

function percentDecode(text: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x2b) out.push(0x20);
    else if (c === 0x25 && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 1, i + 3))) {
      out.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (c < 0x80) out.push(c);
    else out.push(...Buffer.from(text[i]!, 'utf8'));
  }
  return Uint8Array.from(out);
}

/** application/x-www-form-urlencoded to fields; a repeated field keeps its first value. */
export function parseForm(body: Uint8Array): Record<string, string> {
  const text = latin1.decode(body);
  const fields: Record<string, string> = {};
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = bytesToText(percentDecode(eq < 0 ? pair : pair.slice(0, eq)));
    const value = eq < 0 ? '' : bytesToText(percentDecode(pair.slice(eq + 1)));
    if (!Object.hasOwn(fields, name)) fields[name] = value;
  }
  return fields;
}
