/**
 * Builds encrypted P1 frames as a Luxembourg Smarty meter sends them, from a plaintext telegram,
 * with node:crypto: DB | 08 title | 82 len(2) | 30 | FC(4) | AES-128-GCM(telegram) | tag(12).
 */
import { createCipheriv } from 'node:crypto';

export const SMARTY_AK = Buffer.from('00112233445566778899aabbccddeeff', 'hex');

export function smartyFrame(telegram: Uint8Array, p: { key: Uint8Array; systemTitle?: Uint8Array; frameCounter?: number; authKey?: Uint8Array }): Uint8Array {
  const title = Buffer.from(p.systemTitle ?? Buffer.from('5341470005e1c8f2', 'hex')); // "SAG" + serial
  const fc = Buffer.alloc(4);
  fc.writeUInt32BE(p.frameCounter ?? 0x000a1b2c);
  const cipher = createCipheriv('aes-128-gcm', p.key, Buffer.concat([title, fc]), { authTagLength: 12 });
  cipher.setAAD(Buffer.concat([Buffer.of(0x30), p.authKey ?? SMARTY_AK]));
  const ciphertext = Buffer.concat([cipher.update(telegram), cipher.final()]);
  const content = Buffer.concat([Buffer.of(0x30), fc, ciphertext, cipher.getAuthTag()]);
  const length = Buffer.alloc(2);
  length.writeUInt16BE(content.length);
  return Uint8Array.from(Buffer.concat([Buffer.of(0xdb, 0x08), title, Buffer.of(0x82), length, content]));
}
