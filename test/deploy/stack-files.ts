// pod.yaml and compose.yaml as data, for the tests that hold them to the stack's rules.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

export const REPO = join(import.meta.dirname, '../..');

/** pod.yaml with its optional commented blocks (the demo simulator) switched on, as smoke.sh does. */
export function podText(): string {
  const text = readFileSync(join(REPO, 'pod.yaml'), 'utf8');
  let inBlock = false;
  const lines: string[] = [];
  for (const line of text.split('\n')) {
    if (/# --- device-sim:(begin|end)/.test(line)) inBlock = line.includes(':begin');
    else lines.push(inBlock ? line.replace(/^ {4}# /, '    ') : line);
  }
  return lines.join('\n');
}

export function podSpec(text = podText()): any {
  return parse(text).spec;
}

export function composeFile(text = readFileSync(join(REPO, 'compose.yaml'), 'utf8')): any {
  return parse(text, { merge: true });
}
