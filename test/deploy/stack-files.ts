// pod.yaml and compose.yaml as data, and the hardening rules every container of them must meet.
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
