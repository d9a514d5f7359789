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
import { composeFile, composeFindings, podFindings, podSpec, podText, REPO } from './stack-files.ts';

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
