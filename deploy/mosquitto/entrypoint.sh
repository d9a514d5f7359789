#!/bin/sh
# Runs mosquitto and reloads it (SIGHUP) when the mqtt-ingest service rewrites the password file,
# so a device added, re-keyed or removed in the registry gets or loses access within seconds.
set -eu
conf=${MOSQUITTO_CONF:-/mosquitto/config/mosquitto.conf}
passwd=${MOSQUITTO_PASSWD:-/mosquitto/passwd/passwd}
interval=${RELOAD_CHECK_SECONDS:-5}

# Mosquitto refuses to start without its password file; an empty one admits nobody.
[ -e "$passwd" ] || : >"$passwd"

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
