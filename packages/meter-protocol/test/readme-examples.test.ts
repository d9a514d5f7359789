/** The README's examples run as written (package import pointed at src) and print what their comments say. */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const README = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');
const ENTRY = fileURLToPath(new URL('../src/index.ts', import.meta.url));
const blocks = [...README.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
const dir = mkdtempSync(join(tmpdir(), 'meter-protocol-readme-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The comment lines that close a block are its expected output. */
function expectedOutput(code: string): string[] {
  const lines = code.trimEnd().split('\n');
  const out: string[] = [];
  while (lines.length > 0 && lines.at(-1)!.startsWith('// ')) out.unshift(lines.pop()!.slice(3));
  return out;
}

const squash = (s: string) => s.replace(/\s+/g, ' ').trim();

describe('README examples', () => {
  it('has the P1 and the HAN example', () => expect(blocks.length).toBeGreaterThanOrEqual(2));

  blocks.forEach((code, i) => {
    it(`example ${i + 1} runs and prints its documented output`, async () => {
      const file = join(dir, `example-${i + 1}.ts`);
      writeFileSync(file, code.replaceAll("'@sem/meter-protocol'", JSON.stringify(ENTRY)));
      const { stdout } = await run(process.execPath, [file]);
      const expected = expectedOutput(code);
      expect(expected.length).toBeGreaterThan(0);
      expect(squash(stdout)).toBe(squash(expected.join(' ')));
    });
  });
});
