import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { corpusAbsent, needsCorpus, SHARED_CORPUS } from '@sem/meter-protocol/testing';
import { unitToItem } from '../src/post/unit-to-item.ts';
import { loadCaptures } from '../src/sources/capture-files.ts';

/** An encrypted Austrian push decoded on the device with --han-key/--han-auth-key (shared corpus, read in place). */
const SHARED = join(SHARED_CORPUS, 'han', 'landisgyr_3p_enc_1');

describe.skipIf(corpusAbsent('han'))(needsCorpus('encrypted HAN frames', 'han'), () => {
  it('decode locally for json with the keys, and fail without them', () => {
    const expected = JSON.parse(readFileSync(`${SHARED}.expected.json`, 'utf8')) as {
      encryption: { encryption_key: string; authentication_key: string };
    };
    const unit = loadCaptures(`${SHARED}.hex`).units[0]!;
    const withKeys = unitToItem('json', unit, 0, {
      zone: 'Europe/Vienna',
      hanEncryptionKey: Buffer.from(expected.encryption.encryption_key, 'hex'),
      hanAuthenticationKey: Buffer.from(expected.encryption.authentication_key, 'hex'),
    });
    expect('item' in withKeys && (withKeys.item.body as Record<string, unknown>).powerImportW).toBeTypeOf('number');
    const without = unitToItem('json', unit, 0, { zone: 'Europe/Vienna' });
    expect(without).toEqual({ error: expect.stringMatching(/Error$/) });
  });
});
