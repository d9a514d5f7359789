/**
 * The MariaDB and Mosquitto images the tests start: the ones pod.yaml runs, read from it, so the
 * version is pinned in one place (test/smoke/stand-ins/build.sh reads it from there too).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const POD_YAML = resolve(import.meta.dirname, '../../pod.yaml');

function podImage(repository: string): string {
  const images = [...readFileSync(POD_YAML, 'utf8').matchAll(/^\s*image:\s*(\S+)\s*$/gm)].map((m) => m[1]!);
  const image = images.find((i) => i.replace(/:[^/:]+$/, '').split('/').pop() === repository);
  if (!image) throw new Error(`pod.yaml names no ${repository} image`);
  return image;
}

export const MARIADB_IMAGE = podImage('mariadb');
export const MOSQUITTO_IMAGE = podImage('eclipse-mosquitto');
