import { fileURLToPath } from 'node:url';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Real captures kept in the protocol package (MIT/ISC sources; provenance in their SOURCES.md). */
export const FIXTURES = fileURLToPath(new URL('../../../packages/meter-protocol/fixtures/', import.meta.url));
export const P1_DIR = join(FIXTURES, 'dsmr');
export const HAN_DIR = join(FIXTURES, 'han');

export function p1Fixture(name: string): string {
  return join(P1_DIR, `${name}.txt`);
}

export function hanFixture(name: string): string {
  return join(HAN_DIR, `${name}.hex`);
}

export function p1FixtureNames(): string[] {
  return readdirSync(P1_DIR)
    .filter((f) => f.endsWith('.txt'))
    .map((f) => f.slice(0, -4));
}
