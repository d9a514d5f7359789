#!/usr/bin/env bash
# Prints the SEM_TEST_MARIADB_URL for this machine's local MariaDB (root, empty password, TCP 127.0.0.1:3306),
# after checking it answers over TCP. CI:  export SEM_TEST_MARIADB_URL="$(bash db/scripts/test-mariadb-url.sh)"
# Tests then create only their own databases (sem_test_<prefix>_<worker>) on it.
set -euo pipefail
host="${SEM_TEST_MARIADB_HOST:-127.0.0.1}"
port="${SEM_TEST_MARIADB_PORT:-3306}"
for _ in $(seq 1 60); do
  if mariadb --protocol=TCP -h "$host" -P "$port" -uroot -e 'SELECT 1' >/dev/null 2>&1; then
    echo "mysql://root@${host}:${port}"
    exit 0
  fi
  sleep 0.5
done
echo "MariaDB does not answer as root over TCP on ${host}:${port} (run scripts/local-services.sh first)" >&2
exit 1
