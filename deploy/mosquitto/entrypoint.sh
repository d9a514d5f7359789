#!/bin/sh
# Runs mosquitto and reloads it (SIGHUP) when the mqtt-ingest service rewrites the password file,
# so a device added, re-keyed or removed in the registry gets or loses access within seconds.
set -eu
conf=${MOSQUITTO_CONF:-/mosquitto/config/mosquitto.conf}
passwd=${MOSQUITTO_PASSWD:-/mosquitto/passwd/passwd}
interval=${RELOAD_CHECK_SECONDS:-5}

# The password folder is a volume that mqtt-ingest writes as an unprivileged user (PASSWD_DIR_OWNER,
# uid 1000 = `node` in the API image); a fresh volume is root's, so hand it over while still root.
if [ -n "${PASSWD_DIR_OWNER:-}" ] && [ "$(id -u)" = 0 ]; then
  chown "$PASSWD_DIR_OWNER" "$(dirname "$passwd")"
fi

# Mosquitto refuses to start without its password file; an empty one admits nobody.
[ -e "$passwd" ] || : >"$passwd"

# Mosquitto 2.0 drops to its `user` (default mosquitto) before it loads the TLS key, and the mounted
# key is root's and read-only: as root, give that user a private copy and point a config copy at it.
if [ "$(id -u)" = 0 ] && grep -q '^keyfile ' "$conf"; then
  run_as=$(sed -n 's/^user  *//p' "$conf" | tail -n 1)
  run_as=${run_as:-mosquitto}
  tls_dir=$(mktemp -d)
  cp "$(sed -n 's/^keyfile  *//p' "$conf" | tail -n 1)" "$tls_dir/server.key"
  chown -R "$run_as" "$tls_dir"
  chmod 0400 "$tls_dir/server.key"
  sed "s|^keyfile .*|keyfile $tls_dir/server.key|" "$conf" >"$tls_dir/mosquitto.conf"
  conf=$tls_dir/mosquitto.conf
fi

mosquitto -c "$conf" &
pid=$!
trap 'kill -TERM "$pid" 2>/dev/null; wait "$pid"; exit 0' TERM INT

last=$(cksum <"$passwd")
while kill -0 "$pid" 2>/dev/null; do
  sleep "$interval" &
  wait $! || true
  now=$(cksum <"$passwd" 2>/dev/null || echo missing)
  if [ "$now" != "$last" ]; then
    last=$now
    kill -HUP "$pid" 2>/dev/null || true
  fi
done
wait "$pid"
