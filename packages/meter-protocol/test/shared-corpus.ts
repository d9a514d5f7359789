/**
 * The team's capture corpus, `../shared/fixtures` beside the repo (not part of it: licences). Tests that
 * need it skip when it is absent, with a reason naming the folder; they never shrink what they assert.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const SHARED_CORPUS = resolve(import.meta.dirname, '../../../../shared/fixtures');

export type CorpusPart = 'dsmr' | 'han';

/** Why a test that needs the corpus (or one part of it) skips; undefined when the folder is there. */
export function corpusAbsent(part?: CorpusPart): string | undefined {
  const dir = part ? join(SHARED_CORPUS, part) : SHARED_CORPUS;
  return existsSync(dir) ? undefined : `needs the capture corpus ${dir} (../shared/fixtures${part ? `/${part}` : ''} beside the repo), absent`;
}

/** The title of a test that needs the corpus: with the skip reason appended when the folder is absent. */
export function needsCorpus(title: string, part?: CorpusPart): string {
  const reason = corpusAbsent(part);
  return reason ? `${title} (skipped: ${reason})` : title;
}
