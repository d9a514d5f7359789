/** Loads HAN captures: the MIT ones shipped in the package, plus the shared corpus when present. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SHARED_CORPUS } from '../shared-corpus.ts';

const here = dirname(fileURLToPath(import.meta.url));
export const PACKAGE_FIXTURES = resolve(here, '../../fixtures/han');
export const SHARED_FIXTURES = join(SHARED_CORPUS, 'han');

export interface HanFixture {
  name: string;
  dir: string;
  bytes: Uint8Array;
  // the expected.json is free-form research output: read it loosely
  expected: any;
}

function load(dir: string): HanFixture[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.hex'))
    .sort()
    .map((f) => {
      const name = f.slice(0, -4);
      const json = join(dir, `${name}.expected.json`);
      return {
        name,
        dir,
        bytes: hexBytes(readFileSync(join(dir, f), 'utf8')),
        expected: existsSync(json) ? JSON.parse(readFileSync(json, 'utf8')) : null,
      };
    });
}

export function hexBytes(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex.replace(/\s+/g, ''), 'hex'));
}

/** Package fixtures, then shared ones not already loaded (same name = same capture). */
export function hanFixtures(): HanFixture[] {
  const own = load(PACKAGE_FIXTURES);
  const names = new Set(own.map((f) => f.name));
  return [...own, ...load(SHARED_FIXTURES).filter((f) => !names.has(f.name))];
}

export function negativeFixtures(): HanFixture[] {
  return load(join(SHARED_FIXTURES, 'negative'));
}

export function ownFixture(name: string): HanFixture {
  const f = load(PACKAGE_FIXTURES).find((x) => x.name === name);
  if (!f) throw new Error(`missing package fixture ${name}`);
  return f;
}
