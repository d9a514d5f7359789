/** Real captures: the shared corpus (../shared/fixtures) when present, plus the protocol package's copies. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SHARED_CORPUS } from '@sem/meter-protocol/testing';

export { corpusAbsent, needsCorpus } from '@sem/meter-protocol/testing';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const DIRS = {
  p1: [`${SHARED_CORPUS}/dsmr/`, `${REPO}packages/meter-protocol/fixtures/dsmr/`],
  han: [`${SHARED_CORPUS}/han/`, `${REPO}packages/meter-protocol/fixtures/han/`],
  hanNegative: [`${SHARED_CORPUS}/han/negative/`],
};

export interface Capture {
  name: string;
  bytes: Buffer;
  expected: any;
}

function load(dirs: string[], ext: string): Capture[] {
  const seen = new Map<string, Capture>();
  for (const dir of dirs) {
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).filter((x) => x.endsWith(ext)).sort()) {
      const name = f.slice(0, -ext.length);
      if (seen.has(name)) continue;
      const json = `${dir}${name}.expected.json`;
      seen.set(name, { name, bytes: readFileSync(dir + f), expected: existsSync(json) ? JSON.parse(readFileSync(json, 'utf8')) : null });
    }
  }
  return [...seen.values()];
}

export const p1Captures = () => load(DIRS.p1, '.txt');
export const hanCaptures = () => load(DIRS.han, '.hex').map((c) => ({ ...c, bytes: Buffer.from(c.bytes.toString('latin1').replace(/\s+/g, ''), 'hex') }));
export const hanNegativeCaptures = () => load(DIRS.hanNegative, '.hex').map((c) => ({ ...c, bytes: Buffer.from(c.bytes.toString('latin1').replace(/\s+/g, ''), 'hex') }));
