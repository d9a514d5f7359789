/**
 * The containers a test run starts (MariaDB, the broker host), through testcontainers on Docker or
 * Podman. Each carries the run's label, so the end-of-run check and the reaper (container-reaper.ts)
 * find them even when Ryuk, testcontainers' own reaper, is not available (Podman).
 */
import type { GenericContainer, StartedTestContainer } from 'testcontainers';
import { TEST_RUN_LABEL } from './provided-context.ts';

export type ContainerSpec = (container: GenericContainer) => GenericContainer;

/** Starts `image` labelled with the run id; `spec` adds ports, environment, command, mounts. */
export async function startRunContainer(image: string, runId: string, spec: ContainerSpec): Promise<StartedTestContainer> {
  const { GenericContainer } = await import('testcontainers');
  return spec(new GenericContainer(image).withLabels({ [TEST_RUN_LABEL]: runId })).start();
}

/** Ids of the containers, running or not, that carry this run's label. */
export async function runContainerIds(runId: string): Promise<string[]> {
  const { getContainerRuntimeClient } = await import('testcontainers');
  const client = await getContainerRuntimeClient();
  const all = await client.container.list();
  return all.filter((c) => c.Labels?.[TEST_RUN_LABEL] === runId).map((c) => c.Id);
}

/** Force-removes every container of this run; returns the ids it removed. */
export async function removeRunContainers(runId: string): Promise<string[]> {
  const { getContainerRuntimeClient } = await import('testcontainers');
  const client = await getContainerRuntimeClient();
  const ids = await runContainerIds(runId);
  for (const id of ids) await client.container.getById(id).remove({ force: true, v: true });
  return ids;
}

/** Runs a command in a container of this run (by id, from any worker); fails on a non-zero exit. */
export async function execInContainer(containerId: string, command: string[]): Promise<string> {
  const { getContainerRuntimeClient } = await import('testcontainers');
  const client = await getContainerRuntimeClient();
  const result = await client.container.exec(client.container.getById(containerId), command);
  if (result.exitCode !== 0) throw new Error(`${command.join(' ')} exited ${result.exitCode} in container ${containerId.slice(0, 12)}: ${result.output}`);
  return result.output;
}

/** Whether a container engine answers (Docker, or Podman through DOCKER_HOST). */
export async function containerEngineReason(): Promise<string | undefined> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
    return undefined;
  } catch (error) {
    return `no container engine answers (${(error as Error).message.split('\n')[0]}); see the README's Test section for Docker or Podman`;
  }
}
