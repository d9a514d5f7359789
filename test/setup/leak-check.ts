/**
 * End-of-run proof that no test left anything behind: processes that carry the run's marker in
 * their environment, containers with the run's label, entries in the run's temp folder. What it
 * finds, it reports and then removes, so a failed check never leaves the leak in place either.
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { removeRunContainers, TEST_RUN_ENV } from '@sem/db/testing';

interface LeakedProcess {
  pid: number;
  command: string;
}

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'latin1');
  } catch {
    return undefined;
  }
}

/** Live processes (not zombies) started during the run, other than vitest's own, on Linux (/proc). */
function runProcesses(runId: string): LeakedProcess[] {
  const marker = `${TEST_RUN_ENV}=${runId}`;
  const found: LeakedProcess[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return found; // not Linux: nothing to read the environment from
  }
  for (const entry of entries) {
    const pid = Number(entry);
    if (pid === process.pid) continue;
    const environ = read(`/proc/${pid}/environ`);
    if (!environ?.split('\0').includes(marker)) continue;
    const state = read(`/proc/${pid}/stat`)?.replace(/^.*\) /, '')[0];
    const command = (read(`/proc/${pid}/cmdline`) ?? '').split('\0').join(' ').trim();
    if (state === 'Z' || /node_modules\/(vitest|tinypool)\//.test(command)) continue;
    found.push({ pid, command });
  }
  return found;
}

/** Waits briefly for processes still exiting (children reaped as their worker ends), then kills the rest. */
async function leakedProcesses(runId: string): Promise<LeakedProcess[]> {
  let leaked = runProcesses(runId);
  for (let i = 0; i < 50 && leaked.length > 0; i++) {
    await new Promise((r) => setTimeout(r, 100));
    leaked = runProcesses(runId);
  }
  for (const p of leaked) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  return leaked;
}

/** Returns one line per leak (empty: clean). `usedContainers`: whether the run talked to a container engine. */
export async function checkLeaks(runId: string, runTmp: string, bookkeeping: string, usedContainers: boolean): Promise<string[]> {
  const leaks: string[] = [];
  for (const p of await leakedProcesses(runId)) leaks.push(`process ${p.pid}: ${p.command}`);
  if (usedContainers) for (const id of await removeRunContainers(runId)) leaks.push(`container ${id.slice(0, 12)}`);
  const bookkeepingName = bookkeeping.slice(runTmp.length + 1);
  for (const entry of readdirSync(runTmp)) {
    // testcontainers keeps its inter-process lock file in the temp folder for good, by design.
    if (entry === bookkeepingName || /^testcontainers-node-\d+\.lock$/.test(entry)) continue;
    leaks.push(`temp ${join(runTmp, entry)}`);
  }
  rmSync(runTmp, { recursive: true, force: true });
  return leaks;
}
