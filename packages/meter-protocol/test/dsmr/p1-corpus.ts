/**
 * Loads the P1 captures: always the package copies (MIT/ISC), plus the team corpus in
 * ../shared/fixtures/dsmr (relative to the repo root) when that folder exists.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SHARED_CORPUS } from '../shared-corpus.ts';

export interface Capture {
  /** 'package' or 'shared', then the file name without extension. */
  id: string;
  name: string;
  /** Exact bytes as a latin1 string. */
  text: string;
  bytes: Uint8Array;
  // the JSON is the corpus' own format: read loosely
  expected: ExpectedJson;
}

export interface ExpectedJson {
  header: string;
  notes: string[];
  crc: { present: boolean; declared: string | null; computed_crc16_arc: string; status: 'valid' | 'INVALID' | 'no_crc' };
  after_crc_bytes: string;
  obis: Record<string, ObisEntry | ObisEntry[]>;
  dsmr_parser?: { objects: Record<string, unknown> };
}

export type ObisEntry = Record<string, unknown> & { raw: string };

export const PACKAGE_DIR = fileURLToPath(new URL('../../fixtures/dsmr/', import.meta.url));
export const SHARED_DIR = `${SHARED_CORPUS}/dsmr/`;

function load(dir: string, origin: string): Capture[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.txt'))
    .sort()
    .map((f) => {
      const name = f.slice(0, -4);
      const bytes = new Uint8Array(readFileSync(dir + f));
      return {
        id: `${origin}: ${name}`,
        name,
        text: Buffer.from(bytes).toString('latin1'),
        bytes,
        expected: JSON.parse(readFileSync(`${dir}${name}.expected.json`, 'utf8')) as ExpectedJson,
      };
    });
}

export const packageCaptures = load(PACKAGE_DIR, 'package');
export const sharedCaptures = load(SHARED_DIR, 'shared');
export const allCaptures = [...packageCaptures, ...sharedCaptures];

/** The stream fixture: several telegrams in one file, not one capture. */
export function isStream(c: Capture): boolean {
  return c.expected.notes.some((n) => n.startsWith('STREAM'));
}

/** Captures that decode (valid CRC or no CRC), one per distinct content. */
export function decodableCaptures(): Capture[] {
  const seen = new Set<string>();
  return allCaptures.filter((c) => {
    if (isStream(c) || c.expected.crc.status === 'INVALID' || seen.has(c.text)) return false;
    seen.add(c.text);
    return true;
  });
}
