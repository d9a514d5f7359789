#!/bin/bash
# The pod's backup container (MariaDB image, unprivileged): a consistent dump of the SEM database
# (mariadb-dump --single-transaction: no locks, the API keeps writing) every SEM_BACKUP_INTERVAL_HOURS
# into /backups (volume sem-backups) as <db>-<UTC time>.sql.gz; the newest SEM_BACKUP_KEEP are kept.
# The first one is taken 10 minutes after start. `backup.sh --now` takes one at once and exits:
#   podman exec sem-backup bash /etc/sem/backup/backup.sh --now
# deploy/restore.sh loads one into a fresh pod; docs/deploy.md says how to copy them off the machine.
set -euo pipefail

dir=${SEM_BACKUP_DIR:-/backups}
db=${SEM_DB_NAME:-sem}
user=${SEM_DB_OWNER_USER:-sem_owner}
interval_h=${SEM_BACKUP_INTERVAL_HOURS:-24}
keep=${SEM_BACKUP_KEEP:-14}
[[ $db =~ ^[A-Za-z0-9_]+$ ]] || { echo "backup: bad SEM_DB_NAME" >&2; exit 2; }
[[ $interval_h =~ ^[1-9][0-9]*$ && $keep =~ ^[1-9][0-9]*$ ]] \
  || { echo "backup: SEM_BACKUP_INTERVAL_HOURS and SEM_BACKUP_KEEP must be whole numbers from 1" >&2; exit 2; }
host=${SEM_DB_HOST:-127.0.0.1}
# The password (SEM_DB_OWNER_PASSWORD, or compose's file) reaches the client through the environment.
if [ -z "${SEM_DB_OWNER_PASSWORD:-}" ] && [ -n "${SEM_DB_OWNER_PASSWORD_FILE:-}" ]; then
  SEM_DB_OWNER_PASSWORD=$(<"$SEM_DB_OWNER_PASSWORD_FILE")
fi
export MYSQL_PWD="${SEM_DB_OWNER_PASSWORD:?SEM_DB_OWNER_PASSWORD (or _FILE) is not set}"

log() { echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) backup: $*"; }

backup_once() {
  local final tmp
  final="$dir/$db-$(date -u +%Y%m%dT%H%M%SZ).sql.gz"
  tmp="$final.partial"
  # --single-transaction: one snapshot of every InnoDB table; --hex-blob keeps binary columns exact.
  if ! mariadb-dump --protocol=tcp -h"$host" -P3306 -u"$user" --single-transaction --quick \
      --no-tablespaces --hex-blob --skip-comments "$db" | gzip -6 >"$tmp"; then
    rm -f "$tmp"
    log "FAILED (the previous backups are kept)"
    return 1
  fi
  mv "$tmp" "$final"
  log "wrote $final ($(stat -c %s "$final") bytes)"
  # Oldest first by name (the names sort by time); keep the newest $keep.
  find "$dir" -maxdepth 1 -name "$db-*.sql.gz" -printf '%f\n' | sort | head -n "-$keep" \
    | while read -r old; do rm -f -- "$dir/$old" && log "removed $old (keeping $keep)"; done
}

if [ "${1:-}" = --now ]; then
  backup_once
  exit
fi

trap 'exit 0' TERM INT
log "every $interval_h h into $dir, keeping $keep"
sleep 600 & wait $!
while :; do
  backup_once || true
  sleep $((interval_h * 3600)) & wait $!
done
