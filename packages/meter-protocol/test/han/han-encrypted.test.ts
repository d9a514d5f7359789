/**
 * Encrypted HAN frames (general-glo/ded-ciphering, AES-128-GCM). No MIT capture is encrypted, so
 * these frames are built here from MIT plaintext captures with made-up keys; the published
 * Austrian captures in the shared corpus are checked too when present.
 */
import { describe, expect, it } from 'vitest';
import { DecryptionError, UnsupportedError } from '../../src/errors.ts';
import { decodeFrame, decodeFrames } from '../../src/dlms/han-decoder.ts';
import { buildFrame, buildSegments, concat, encryptApdu, infoOf, LLC } from './hdlc-frame-builder.ts';
import { hanFixtures, ownFixture } from './han-fixture-files.ts';
import { errorOf } from '../error-of.ts';

const key = Uint8Array.from(Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex'));
const otherKey = Uint8Array.from(Buffer.from('f0e0d0c0b0a090807060504030201000', 'hex'));
const authKey = Uint8Array.from(Buffer.from('d0d1d2d3d4d5d6d7d8d9dadbdcdddedf', 'hex'));
const systemTitle = Uint8Array.from(Buffer.from('4b464d0102030405', 'hex')); // "KFM"

const kamstrup = ownFixture('kamstrup_3p_list2_2').bytes; // ~230-byte APDU: 0x81 length
const aidon = ownFixture('aidon_3p_list3_1').bytes; // ~370-byte APDU: 0x82 length
const plainOf = (frame: Uint8Array) => infoOf(frame).subarray(3);

function encryptedFrame(frame: Uint8Array, sc: 0x20 | 0x30, tag: 0xdb | 0xdf = 0xdb): Uint8Array {
  const ciphered = encryptApdu(plainOf(frame), { key, systemTitle, frameCounter: 0x1234, securityControl: sc, authKey, tag });
  return buildFrame(concat(LLC, ciphered), { destination: [0x41], source: [0x03] });
}


describe('AES-GCM encrypted frames', () => {
  for (const frame of [kamstrup, aidon]) {
    it(`SC 0x30 with EK and AK decodes like the plaintext (${frame.length}-byte frame)`, () => {
      const enc = encryptedFrame(frame, 0x30);
      expect(decodeFrame(enc, { encryptionKey: key, authenticationKey: authKey })).toEqual(decodeFrame(frame));
    });
  }

  it('SC 0x20 (no tag) decodes with the encryption key alone', () => {
    expect(decodeFrame(encryptedFrame(kamstrup, 0x20), { encryptionKey: key })).toEqual(decodeFrame(kamstrup));
  });

  it('general-ded-ciphering (0xDF) is handled like 0xDB', () => {
    expect(decodeFrame(encryptedFrame(aidon, 0x30, 0xdf), { encryptionKey: key, authenticationKey: authKey })).toEqual(decodeFrame(aidon));
  });

  it('SC 0x30 without the AK still decrypts (tag unchecked)', () => {
    expect(decodeFrame(encryptedFrame(kamstrup, 0x30), { encryptionKey: key })).toEqual(decodeFrame(kamstrup));
  });

  it('a wrong EK or AK on a tagged frame is a DecryptionError', () => {
    const enc = encryptedFrame(kamstrup, 0x30);
    expect(() => decodeFrame(enc, { encryptionKey: otherKey, authenticationKey: authKey })).toThrow(DecryptionError);
    expect(() => decodeFrame(enc, { encryptionKey: key, authenticationKey: otherKey })).toThrow(/authentication failed/);
  });

  it('a wrong EK on an untagged (0x20) frame is a DecryptionError: the plaintext is no APDU', () => {
    const e = errorOf(() => decodeFrame(encryptedFrame(aidon, 0x20), { encryptionKey: otherKey }));
    expect(e).toBeInstanceOf(DecryptionError);
    expect((e as Error).message).toMatch(/wrong encryption key/);
  });

  it('a tampered ciphertext with valid HDLC checksums fails the tag', () => {
    const info = infoOf(encryptedFrame(kamstrup, 0x30));
    info[40] = info[40]! ^ 0x01;
    expect(() => decodeFrame(buildFrame(info), { encryptionKey: key, authenticationKey: authKey })).toThrow(DecryptionError);
  });

  it('a missing key is an UnsupportedError naming the system title', () => {
    const e = errorOf(() => decodeFrame(encryptedFrame(kamstrup, 0x20)));
    expect(e).toBeInstanceOf(UnsupportedError);
    expect((e as Error).message).toContain('4B464D0102030405 (KFM)');
    expect((e as Error).message).toMatch(/encryptionKey is needed/);
  });

  it('an encrypted push split into segments is reassembled before decryption', () => {
    const info = infoOf(encryptedFrame(aidon, 0x30));
    const segments = buildSegments(info, 3);
    expect(decodeFrames(concat(...segments), { encryptionKey: key, authenticationKey: authKey })).toEqual([decodeFrame(aidon)]);
  });

  it('a key of the wrong length is an UnsupportedError', () => {
    expect(() => decodeFrame(encryptedFrame(kamstrup, 0x20), { encryptionKey: key.subarray(0, 10) })).toThrow(UnsupportedError);
  });

  // published captures (shared corpus, when present)
  for (const f of hanFixtures().filter((x) => x.expected?.encryption?.encryption_key)) {
    it(`${f.name}: a wrong key is a DecryptionError`, () => {
      const ak = f.expected.encryption.authentication_key;
      expect(() =>
        decodeFrame(f.bytes, { encryptionKey: otherKey, ...(ak ? { authenticationKey: Uint8Array.from(Buffer.from(ak, 'hex')) } : {}) }),
      ).toThrow(DecryptionError);
    });
  }
});
