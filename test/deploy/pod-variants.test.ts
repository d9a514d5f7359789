/**
 * The set-up's choices (deploy/setup.sh --without grafana|mqtt, --with demo) cut or add marked blocks
 * of pod.yaml with deploy/lib/pod-variant.sh: each variant must still be a whole pod, with every mount
 * pointing at a volume, nothing of a left-out part behind, and the same hardening.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { podFindings, REPO } from './stack-files.ts';

const dir = mkdtempSync(join(tmpdir(), 'sem-pod-variant-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function variant(without: string, withParts: string): any {
  const out = join(dir, `pod-${without.replace(/ /g, '_')}-${withParts}.yaml`);
  const r = spawnSync('bash', ['-c', `. deploy/lib/pod-variant.sh && sem_pod_variant pod.yaml "$1" "$2" "$3"`, 'x', out, without, withParts], { cwd: REPO, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return parse(readFileSync(out, 'utf8')).spec;
}

const names = (spec: any) => [...(spec.initContainers ?? []), ...spec.containers].map((c: any) => c.name).sort();

function dangling(spec: any): string[] {
  const volumes = new Set(spec.volumes.map((v: any) => v.name));
  const used = new Set([...(spec.initContainers ?? []), ...spec.containers].flatMap((c: any) => (c.volumeMounts ?? []).map((m: any) => m.name)));
  return [...[...used].filter((n) => !volumes.has(n)).map((n) => `mount of missing ${n}`), ...[...volumes].filter((n) => !used.has(n)).map((n) => `unused ${n}`)];
}

describe('pod.yaml variants of the set-up choices', () => {
  it('the full stack: every part but the demo', () => {
    const spec = variant('', '');
    expect(names(spec)).toEqual(['backup', 'grafana', 'ingest-api', 'mariadb', 'migrate', 'mosquitto', 'mqtt-ingest', 'passwd-volume']);
    expect(dangling(spec)).toEqual([]);
  });

  it('without Grafana, without MQTT, with the demo: whole pods, still hardened', () => {
    const noGrafana = variant('grafana', '');
    expect(names(noGrafana)).not.toContain('grafana');
    expect(JSON.stringify(noGrafana)).not.toContain('grafana-data');
    const noMqtt = variant('mqtt', '');
    expect(names(noMqtt)).toEqual(['backup', 'grafana', 'ingest-api', 'mariadb', 'migrate']);
    expect(noMqtt.initContainers).toBeUndefined();
    expect(JSON.stringify(noMqtt)).not.toMatch(/mosquitto|8883/);
    const minimal = variant('grafana mqtt', 'device-sim');
    expect(names(minimal)).toEqual(['backup', 'device-sim', 'ingest-api', 'mariadb', 'migrate']);
    for (const spec of [noGrafana, noMqtt, minimal]) {
      expect(dangling(spec)).toEqual([]);
      expect(podFindings(spec)).toEqual([]);
    }
  });
});
