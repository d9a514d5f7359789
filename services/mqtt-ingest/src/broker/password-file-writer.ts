import { readFile, rename, writeFile } from 'node:fs/promises';

/**
 * Replaces the password file only when its content changes, via a temp file and rename so the
 * broker never reads half a file. Returns true when it wrote (the broker must then reload).
 */
export async function writePasswordFileIfChanged(path: string, content: string): Promise<boolean> {
  const current = await readFile(path, 'utf8').catch(() => null);
  if (current === content) return false;
  const tmp = `${path}.tmp-${process.pid}`;
  // 0644: the broker re-reads it as its own unprivileged user; it holds only PBKDF2 hashes of
  // random 192-bit passwords, and lives in a volume only the two containers mount.
  await writeFile(tmp, content, { mode: 0o644 });
  await rename(tmp, path);
  return true;
}
