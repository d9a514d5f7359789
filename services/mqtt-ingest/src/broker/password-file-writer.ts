import { readFile, rename, writeFile } from 'node:fs/promises';

/**
 * Replaces the password file only when its content changes, via a temp file and rename so the
 * broker never reads half a file. Returns true when it wrote (the broker must then reload).
 */
export async function writePasswordFileIfChanged(path: string, content: string): Promise<boolean> {
  const current = await readFile(path, 'utf8').catch(() => null);
  if (current === content) return false;
  const tmp = `${path}.tmp-${process.pid}`;
  // 0640: the broker's group reads it; the hashes are still not for everyone.
  await writeFile(tmp, content, { mode: 0o640 });
  await rename(tmp, path);
  return true;
}
