/** Builds HDLC frames for tests: addresses, control, HCS and FCS, optional segmentation and AES-GCM. */
import { createCipheriv } from 'node:crypto';
import { crc16X25 } from '../../src/dlms/crc16-x25.ts';

export interface FrameParts {
  destination?: number[];
  source?: number[];
  control?: number;
  segmented?: boolean;
}

export function buildFrame(info: Uint8Array, parts: FrameParts = {}): Uint8Array {
  const dst = parts.destination ?? [0x41];
  const src = parts.source ?? [0x08, 0x83];
  const header = [0, 0, ...dst, ...src, parts.control ?? 0x13];
  const length = header.length + 2 + info.length + 2;
  const format = 0xa000 | (parts.segmented ? 0x0800 : 0) | length;
  header[0] = format >> 8;
  header[1] = format & 0xff;
  const body = new Uint8Array(length);
  body.set(header, 0);
  const hcs = crc16X25(body, 0, header.length);
  body[header.length] = hcs & 0xff;
  body[header.length + 1] = hcs >> 8;
  body.set(info, header.length + 2);
  const fcs = crc16X25(body, 0, length - 2);
  body[length - 2] = fcs & 0xff;
  body[length - 1] = fcs >> 8;
  return Uint8Array.from([0x7e, ...body, 0x7e]);
}

/** Splits an information field into n segment frames (S bit on all but the last). */
export function buildSegments(info: Uint8Array, n: number, parts: FrameParts = {}): Uint8Array[] {
  const size = Math.ceil(info.length / n);
  const out: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    out.push(buildFrame(info.subarray(i * size, Math.min(info.length, (i + 1) * size)), { ...parts, segmented: i < n - 1 }));
  }
  return out;
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  return Uint8Array.from(parts.flatMap((p) => [...p]));
}

/** The information field of a single valid frame (after HCS, before FCS). */
export function infoOf(frame: Uint8Array): Uint8Array {
  let i = 3;
  while (!(frame[i]! & 1)) i++; // destination
  i++;
  while (!(frame[i]! & 1)) i++; // source
  i++;
  return frame.slice(i + 3, frame.length - 3); // control + HCS ... FCS + flag
}

export const LLC = Uint8Array.of(0xe6, 0xe7, 0x00);

/**
 * Encrypts a plaintext APDU as general-glo/ded-ciphering with AES-128-GCM, written from the
 * DLMS Green Book rules (IV = system title ‖ frame counter; SC 0x30: AAD = SC ‖ AK, 12-byte tag).
 */
export function encryptApdu(
  plain: Uint8Array,
  p: { key: Uint8Array; systemTitle: Uint8Array; frameCounter: number; securityControl: 0x20 | 0x30; authKey?: Uint8Array; tag?: 0xdb | 0xdf },
): Uint8Array {
  const iv = Buffer.alloc(12);
  Buffer.from(p.systemTitle).copy(iv, 0);
  iv.writeUInt32BE(p.frameCounter, 8);
  const c = createCipheriv('aes-128-gcm', p.key, iv, { authTagLength: 12 });
  if (p.securityControl === 0x30) c.setAAD(Buffer.concat([Buffer.of(0x30), p.authKey!]));
  const ct = Buffer.concat([c.update(plain), c.final()]);
  const tag = p.securityControl === 0x30 ? c.getAuthTag() : Buffer.alloc(0);
  const fc = Buffer.alloc(4);
  fc.writeUInt32BE(p.frameCounter);
  const content = Buffer.concat([Buffer.of(p.securityControl), fc, ct, tag]);
  const len = content.length < 0x80 ? [content.length] : content.length < 0x100 ? [0x81, content.length] : [0x82, content.length >> 8, content.length & 0xff];
  return Uint8Array.from(Buffer.concat([Buffer.of(p.tag ?? 0xdb, 8), p.systemTitle, Buffer.from(len), content]));
}
