#!/bin/bash
# STAND-IN healthcheck.sh: the two checks the stack uses from the official image's script.
#   --connect              the server accepts a client connection
#   --innodb_initialized   InnoDB is up
# Connects as the healthcheck user the stand-in entrypoint created (/var/lib/mysql/.my-healthcheck.cnf).
set -eu
cnf=/var/lib/mysql/.my-healthcheck.cnf
[ -r "$cnf" ] || { echo "healthcheck: $cnf not readable (not initialised yet?)" >&2; exit 1; }
query() { mariadb --defaults-extra-file="$cnf" --skip-column-names --batch -e "$1"; }
[ $# -gt 0 ] || set -- --connect
for arg in "$@"; do
  case "$arg" in
    --connect) query 'SELECT 1' >/dev/null ;;
    --innodb_initialized)
      [ "$(query "SELECT 1 FROM information_schema.ENGINES WHERE engine = 'InnoDB' AND support IN ('YES', 'DEFAULT', 'ENABLED')")" = "1" ] ;;
    --su-mysql|--su=*|--no-defaults|--defaults-file=*|--defaults-extra-file=*) ;;
    *) echo "healthcheck: unsupported check $arg (stand-in)" >&2; exit 1 ;;
  esac
done
