#!/usr/bin/env bash
# Makes sure a local MariaDB (root over the socket, 127.0.0.1:3306) and Mosquitto (127.0.0.1:1883) answer.
# Installs them from Debian when absent; starts them when stopped. Safe to run again.
set -euo pipefail

need_apt=()
command -v mariadbd >/dev/null 2>&1 || [ -x /usr/sbin/mariadbd ] || need_apt+=(mariadb-server)
command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ] || need_apt+=(mosquitto)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "installing ${need_apt[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if ! mariadb-admin ping --silent >/dev/null 2>&1; then
  echo "starting mariadb"
  mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld 2>/dev/null || true
  # --pidfile, not --exec alone: a test's throwaway mariadbd must not count as the system server.
  start-stop-daemon --start --oknodo --background --pidfile /run/mysqld/mysqld.pid --exec /usr/sbin/mariadbd
  for _ in $(seq 1 60); do mariadb-admin ping --silent >/dev/null 2>&1 && break; sleep 0.5; done
fi
mariadb-admin ping --silent >/dev/null 2>&1 || { echo "mariadb did not start" >&2; exit 1; }

if ! (exec 3<>/dev/tcp/127.0.0.1/1883) 2>/dev/null; then
  echo "starting mosquitto"
  mosquitto -d -c /etc/mosquitto/mosquitto.conf || true
  sleep 0.5
fi
echo "local services ready"
