/**
 * Every container of pod.yaml and every service of compose.yaml runs non-root, with a read-only root
 * filesystem, no capabilities beyond the documented ones and no privilege escalation, and writes only
 * to volumes or per-pod temporary folders; MariaDB's durability and the Grafana user's limits are
 * part of the stack's configuration. A change that drops one of these fails here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { READONLY_USER_LIMITS } from '@sem/db';
import { composeFile, podSpec, podText, REPO } from './stack-files.ts';

// Capabilities a container may add back, each with its reason. None is needed today.
const DOCUMENTED_CAPABILITIES: Record<string, string> = {};

/** What is wrong with each pod container's settings (empty: nothing). */
export function podFindings(spec: any): string[] {
  const found: string[] = [];
  for (const key of ['hostNetwork', 'hostPID', 'hostIPC']) if (spec[key]) found.push(`pod: ${key}`);
  const volumes = new Map<string, any>((spec.volumes ?? []).map((v: any) => [v.name, v]));
  for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
    const sc = c.securityContext ?? {};
    const where = `pod container ${c.name}`;
    if (sc.runAsNonRoot !== true) found.push(`${where}: runAsNonRoot is not true`);
    if (!Number.isInteger(sc.runAsUser) || sc.runAsUser === 0) found.push(`${where}: runAsUser is not a non-root uid`);
    if (!Number.isInteger(sc.runAsGroup)) found.push(`${where}: runAsGroup is not set`);
    if (sc.readOnlyRootFilesystem !== true) found.push(`${where}: readOnlyRootFilesystem is not true`);
    if (sc.allowPrivilegeEscalation !== false) found.push(`${where}: allowPrivilegeEscalation is not false`);
    if (sc.privileged) found.push(`${where}: privileged`);
    if (!(sc.capabilities?.drop ?? []).includes('ALL')) found.push(`${where}: capabilities.drop lacks ALL`);
    for (const cap of sc.capabilities?.add ?? []) if (!(cap in DOCUMENTED_CAPABILITIES)) found.push(`${where}: adds undocumented capability ${cap}`);
    for (const m of c.volumeMounts ?? []) {
      const v = volumes.get(m.name);
      if (!v) found.push(`${where}: mounts unknown volume ${m.name}`);
      else if (!m.readOnly && !v.persistentVolumeClaim && !v.emptyDir) found.push(`${where}: writable host path ${m.name}`);
    }
  }
  // Podman 4.3 turns an emptyDir into a volume named after it: pod-unique names, which smoke.sh renames.
  for (const v of volumes.values()) if (v.emptyDir && !String(v.name).startsWith('sem-tmp-')) found.push(`pod volume ${v.name}: an emptyDir not named sem-tmp-*`);
  return found;
}

/** What is wrong with each compose service's settings (empty: nothing). */
export function composeFindings(compose: any): string[] {
  const found: string[] = [];
  for (const [name, s] of Object.entries<any>(compose.services)) {
    const where = `compose service ${name}`;
    const user = String(s.user ?? '');
    if (!/^[1-9][0-9]*:[0-9]+$/.test(user)) found.push(`${where}: user is not a non-root uid:gid`);
    if (s.read_only !== true) found.push(`${where}: read_only is not true`);
    if (!(s.cap_drop ?? []).includes('ALL')) found.push(`${where}: cap_drop lacks ALL`);
    for (const cap of s.cap_add ?? []) if (!(cap in DOCUMENTED_CAPABILITIES)) found.push(`${where}: adds undocumented capability ${cap}`);
    if (!(s.security_opt ?? []).includes('no-new-privileges:true')) found.push(`${where}: security_opt lacks no-new-privileges:true`);
    if (s.privileged) found.push(`${where}: privileged`);
    for (const v of s.volumes ?? []) {
      const [source, , mode = ''] = String(v).split(':');
      if (source!.startsWith('.') || source!.startsWith('/')) {
        if (!mode.split(',').includes('ro')) found.push(`${where}: writable bind mount ${source}`);
      } else if (!(source! in (compose.volumes ?? {}))) found.push(`${where}: unknown volume ${source}`);
    }
  }
  return found;
}

describe('hardening of pod.yaml and compose.yaml', () => {
  it('pod.yaml: every container non-root, read-only root, all capabilities dropped, no escalation, writes only to volumes', () => {
    expect(podFindings(podSpec())).toEqual([]);
  });

  it('compose.yaml: every service the same', () => {
    expect(composeFindings(composeFile())).toEqual([]);
  });

  it('catches a container that lacks a setting (the check itself can fail)', () => {
    const text = podText();
    expect(podFindings(podSpec(text.replace('readOnlyRootFilesystem: true', 'readOnlyRootFilesystem: false')))).toEqual(['pod container passwd-volume: readOnlyRootFilesystem is not true']);
    const noCaps = podSpec(text);
    delete noCaps.containers.find((c: any) => c.name === 'mariadb').securityContext.capabilities;
    expect(podFindings(noCaps)).toEqual(['pod container mariadb: capabilities.drop lacks ALL']);
    const compose = composeFile();
    compose.services.mosquitto = { ...compose.services.mosquitto, user: '0:0', volumes: ['./deploy/mosquitto:/mosquitto/config'] };
    expect(composeFindings(compose)).toEqual(['compose service mosquitto: user is not a non-root uid:gid', 'compose service mosquitto: writable bind mount ./deploy/mosquitto']);
  });

  it('runs the same containers as the same users in both files', () => {
    const spec = podSpec();
    const pod = Object.fromEntries(spec.containers.map((c: any) => [c.name, `${c.securityContext.runAsUser}:${c.securityContext.runAsGroup}`]));
    const compose = Object.fromEntries(Object.entries<any>(composeFile().services).map(([n, s]) => [n, s.user]));
    expect(compose).toEqual(pod);
  });

  it('makes MariaDB durable and caps the Grafana user, in both files', () => {
    const cnf = readFileSync(join(REPO, 'deploy/mariadb/conf.d/60-sem.cnf'), 'utf8');
    const setting = (name: string) => new RegExp(`^${name}\\s*=\\s*(\\S+)`, 'm').exec(cnf)?.[1];
    expect(setting('innodb_flush_log_at_trx_commit')).toBe('1');
    expect(setting('sync_binlog')).toBe('1');
    expect(cnf).toMatch(/^skip-log-bin$/m);
    expect(setting('init_file')).toBe('/etc/mysql/conf.d/sem-init.sql');
    const init = readFileSync(join(REPO, 'deploy/mariadb/conf.d/sem-init.sql'), 'utf8');
    const { maxUserConnections, maxStatementTimeS } = READONLY_USER_LIMITS;
    expect(init).toContain(`ALTER USER IF EXISTS 'sem_grafana'@'%' WITH MAX_USER_CONNECTIONS ${maxUserConnections} MAX_STATEMENT_TIME ${maxStatementTimeS};`);
    const spec = podSpec();
    const mariadb = spec.containers.find((c: any) => c.name === 'mariadb');
    const confMount = mariadb.volumeMounts.find((m: any) => m.mountPath === '/etc/mysql/conf.d');
    expect(spec.volumes.find((v: any) => v.name === confMount.name).hostPath.path).toBe('./deploy/mariadb/conf.d');
    expect(composeFile().services.mariadb.volumes).toContain('./deploy/mariadb/conf.d:/etc/mysql/conf.d:ro,z');
  });
});
