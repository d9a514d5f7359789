#!/bin/sh
# Runs mosquitto and reloads it (SIGHUP) when the mqtt-ingest service rewrites the password file,
# so a device added, re-keyed or removed in the registry gets or loses access within seconds.
set -eu
conf=${MOSQUITTO_CONF:-/mosquitto/config/mosquitto.conf}
passwd=${MOSQUITTO_PASSWD:-/mosquitto/passwd/passwd}
interval=${RELOAD_CHECK_SECONDS:-5}

# The password file is written by the mqtt-ingest service (the pod's init container creates it empty
# first); the broker refuses to start without it, and an empty one admits nobody. This container
# runs unprivileged and mounts that folder read-only, so where the file is missing it waits.
if [ ! -e "$passwd" ] && ! { : >"$passwd"; } 2>/dev/null; then
  echo "entrypoint: waiting for $passwd (written by mqtt-ingest)"
  while [ ! -e "$passwd" ]; do sleep 1; done
fi

# Started as root (not how pod.yaml or compose.yaml run it), Mosquitto 2.0 drops to its `user` before
# it loads the TLS key, which it then cannot read: give that user a private copy and a config copy.
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
