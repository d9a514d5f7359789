/** Byte/hex helpers shared by the DLMS decoders. */

export function toHex(bytes: Uint8Array, start = 0, end = bytes.length): string {
  let s = '';
  for (let i = start; i < end; i++) s += bytes[i]!.toString(16).padStart(2, '0');
  return s;
}

/** Upper-case 4-digit hex, the form ChecksumError reports. */
export function hex16(n: number): string {
  return n.toString(16).toUpperCase().padStart(4, '0');
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
