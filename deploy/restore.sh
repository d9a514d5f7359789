#!/usr/bin/env bash
# Restores a backup of the SEM database into a fresh pod (run from the repo folder):
#   deploy/restore.sh ~/sem-backups/sem-20261204T030000Z.sql.gz      (or a plain .sql dump)
# 1. plays pod.yaml when the pod is not there (fresh volumes: MariaDB creates the users, migrate the
#    schema) and waits until the migrate step has exited 0;
# 2. refuses when the database already holds readings, unless --force;
# 3. stops the containers that write (ingest-api, mqtt-ingest, the demo simulator, backup), loads the
#    dump as the schema owner, runs migrate again (a backup of an older release gets this release's
#    migrations and grants) and starts them again.
# Backups come from the pod's backup container (deploy/backup/backup.sh); docs/deploy.md, Backups,
# says how to copy them off the machine. Environment: SEM_POD (default sem), SEM_POD_YAML (pod.yaml).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
pod="${SEM_POD:-sem}"
yaml="${SEM_POD_YAML:-$root/pod.yaml}"
force=0
file=""
for arg in "$@"; do
  case "$arg" in
    --force) force=1 ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    -*) echo "unknown option: $arg (see --help)" >&2; exit 2 ;;
    *) file="$arg" ;;
  esac
done
[ -n "$file" ] && [ -s "$file" ] || { echo "usage: deploy/restore.sh [--force] BACKUP.sql.gz (see --help)" >&2; exit 2; }
case "$file" in
  *.gz) gzip -t "$file" || { echo "$file is not a whole gzip file" >&2; exit 1; }; read_dump() { gzip -dc "$file"; } ;;
  *) read_dump() { cat "$file"; } ;;
esac

say() { echo "restore: $*"; }
state() { podman inspect --format '{{.State.Status}} {{.State.ExitCode}}' "$pod-$1" 2>/dev/null || echo missing; }
# SQL as the schema owner, inside the MariaDB container (its environment holds the owner's password).
owner_sql() {
  podman exec -i "$pod-mariadb" sh -c 'MYSQL_PWD="$SEM_DB_OWNER_PASSWORD" exec mariadb --protocol=tcp -h127.0.0.1 -usem_owner "${SEM_DB_NAME:-sem}" "$@"' sh "$@"
}

# The data volume of this pod.yaml: when restore.sh makes it, what the new pod stored before the
# load (the demo simulator's first readings) is not something to keep.
data_volume="$(sed -n 's/.*claimName: *\([A-Za-z0-9_.-]*mariadb-data\).*/\1/p' "$yaml" | head -n 1)"
fresh=0
if ! podman pod exists "$pod"; then
  podman volume exists "$data_volume" || fresh=1
  say "no pod $pod: playing $yaml$([ "$fresh" = 1 ] && echo ' (fresh volumes)')"
  # hostPaths in pod.yaml are relative to the repo folder.
  (cd "$root" && podman kube play "$yaml" >/dev/null)
fi
say "waiting for MariaDB and the migrate step"
for _ in $(seq 1 300); do
  [ "$(state migrate)" = "exited 0" ] && break
  sleep 1
done
[ "$(state migrate)" = "exited 0" ] || { echo "restore: the migrate step did not finish ($(state migrate)); see podman logs $pod-migrate" >&2; exit 1; }

readings="$(owner_sql --batch --skip-column-names -e 'SELECT COUNT(*) FROM reading')"
if [ "$readings" != 0 ] && [ "$force" != 1 ] && [ "$fresh" != 1 ]; then
  echo "restore: the database of pod $pod already holds $readings readings; --force replaces them with the backup" >&2
  exit 1
fi

writers=()
for c in ingest-api mqtt-ingest device-sim backup; do
  [ "$(state "$c")" = "running 0" ] && writers+=("$pod-$c")
done
if [ ${#writers[@]} -gt 0 ]; then
  say "stopping ${writers[*]}"
  podman stop "${writers[@]}" >/dev/null
fi
say "loading $(basename "$file")"
read_dump | owner_sql
say "running migrate again (newer migrations, grants)"
podman start --attach "$pod-migrate" >/dev/null
if [ ${#writers[@]} -gt 0 ]; then
  podman start "${writers[@]}" >/dev/null
  say "started ${writers[*]}"
fi
say "done: $(owner_sql --batch --skip-column-names -e 'SELECT COUNT(*) FROM reading') readings, $(owner_sql --batch --skip-column-names -e 'SELECT COUNT(*) FROM device') devices"
