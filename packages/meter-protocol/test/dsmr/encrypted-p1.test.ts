/**
 * Luxembourg Smarty encrypted P1: no encrypted capture is public with its key, so every decodable
 * plaintext capture is encrypted here with a made-up key and must decode exactly like the plaintext.
 */
import { describe, expect, it } from 'vitest';
import { decodeEncryptedTelegrams, decodeTelegrams, decryptP1Frames, DecryptionError, FrameError, isEncryptedP1 } from '../../src/index.ts';
import { decodableCaptures } from './p1-corpus.ts';
import { smartyFrame } from './smarty-frame-builder.ts';
import { errorOf } from '../error-of.ts';

const key = Uint8Array.from(Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex'));
const otherKey = Uint8Array.from(Buffer.from('0f0e0d0c0b0a09080706050403020100', 'hex'));
const captures = decodableCaptures();


describe('encrypted P1 (Smarty, AES-128-GCM)', () => {
  it('has plaintext captures to encrypt', () => expect(captures.length).toBeGreaterThan(10));

  for (const c of captures) {
    it(`${c.id}: decrypts to the exact telegram bytes and decodes like the plaintext`, () => {
      const frame = smartyFrame(c.bytes, { key });
      expect(isEncryptedP1(frame)).toBe(true);
      const [text] = decryptP1Frames(frame, { encryptionKey: key });
      expect(Buffer.from(text!, 'latin1')).toEqual(Buffer.from(c.bytes));
      const zone = { timeZone: 'Europe/Luxembourg' };
      expect(decodeEncryptedTelegrams(frame, { encryptionKey: key }, zone)).toEqual(decodeTelegrams(c.text, zone));
    });
  }

  const plain = captures[0]!.bytes;

  it('decodes several frames back to back, in order', () => {
    const a = smartyFrame(plain, { key, frameCounter: 1 });
    const b = smartyFrame(captures[1]!.bytes, { key, frameCounter: 2 });
    const texts = decryptP1Frames(Buffer.concat([a, b]), { encryptionKey: key });
    expect(texts.map((t) => Buffer.from(t, 'latin1'))).toEqual([Buffer.from(plain), Buffer.from(captures[1]!.bytes)]);
  });

  it('refuses a wrong key with a DecryptionError (the GCM tag fails), never garbage', () => {
    const e = errorOf(() => decryptP1Frames(smartyFrame(plain, { key }), { encryptionKey: otherKey }));
    expect(e).toBeInstanceOf(DecryptionError);
    expect(String((e as Error).message)).not.toContain('000102');
  });

  it('refuses a wrong tag, a changed ciphertext byte and a wrong authentication key', () => {
    const frame = smartyFrame(plain, { key });
    const badTag = Uint8Array.from(frame);
    badTag[badTag.length - 1]! ^= 0x01;
    expect(errorOf(() => decryptP1Frames(badTag, { encryptionKey: key }))).toBeInstanceOf(DecryptionError);
    const badByte = Uint8Array.from(frame);
    badByte[40]! ^= 0x80;
    expect(errorOf(() => decryptP1Frames(badByte, { encryptionKey: key }))).toBeInstanceOf(DecryptionError);
    const ak = Uint8Array.from(Buffer.from('d0d1d2d3d4d5d6d7d8d9dadbdcdddedf', 'hex'));
    expect(errorOf(() => decryptP1Frames(smartyFrame(plain, { key, authKey: ak }), { encryptionKey: key }))).toBeInstanceOf(DecryptionError);
    // an operator-specific AK (Austrian Sagemcom) works when configured
    expect(decryptP1Frames(smartyFrame(plain, { key, authKey: ak }), { encryptionKey: key, authenticationKey: ak })).toHaveLength(1);
  });

  it('refuses a truncated frame and one that is not 0xDB with a FrameError', () => {
    const frame = smartyFrame(plain, { key });
    expect(errorOf(() => decryptP1Frames(frame.subarray(0, frame.length - 5), { encryptionKey: key }))).toBeInstanceOf(FrameError);
    expect(errorOf(() => decryptP1Frames(Buffer.concat([frame, Buffer.of(0x2f)]), { encryptionKey: key }))).toBeInstanceOf(FrameError);
    expect(errorOf(() => decryptP1Frames(new Uint8Array(0), { encryptionKey: key }))).toBeInstanceOf(FrameError);
  });
});
