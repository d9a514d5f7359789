/**
 * Watchdog a test run starts detached: when the run's process is gone without having stopped its
 * containers (killed, crashed), it force-removes every container with the run's label, then exits.
 * Does Ryuk's job where Ryuk cannot run (Podman). Usage: node container-reaper.ts <pid> <run id>
 */
import { removeRunContainers } from './test-containers.ts';

const [pidArg, runId] = process.argv.slice(2);
const pid = Number(pidArg);
if (!Number.isInteger(pid) || !runId) throw new Error('usage: container-reaper.ts <pid> <run id>');

function alive(): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const timer = setInterval(() => {
  if (alive()) return;
  clearInterval(timer);
  void removeRunContainers(runId).then(
    (ids) => ids.length > 0 && console.error(`container-reaper: run ${runId} ended without cleaning up; removed ${ids.join(', ')}`),
    (error: unknown) => console.error(`container-reaper: could not remove the containers of run ${runId}:`, error),
  );
}, 1000);
