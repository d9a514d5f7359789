#!/usr/bin/env bash
# Galera kill test on loopback (npm run scale-out:galera; not part of npm test). Builds the HA variant
# (3 Galera nodes, HAProxy, 2 ingest-api replicas, MQTT ingest), streams readings from simulated devices
# through HAProxy (and, with SEM_SCALE_MQTT_DEVICES, over MQTT), SIGKILLs the writer node, restarts it (IST), SIGKILLs an API replica and later a
# standby node. Then: 0 acknowledged readings lost, 0 duplicated, every node equal, and every table equal
# to a single-server run of the same input. Stops everything it started (trap), bounded in time.
# Env: SEM_SCALE_DIR (/tmp/sem-scale-galera, wiped), SEM_SCALE_DURATION_S (90: at least; longer while faults last), SEM_SCALE_DEVICES (40),
#      SEM_SCALE_BATCHED (10 of them post 10 readings per request), SEM_SCALE_MQTT_DEVICES (0; more devices over
#      MQTT QoS 1), SEM_SCALE_MAX_S (900: hard limit).
set -euo pipefail
export SEM_SCALE_DIR="${SEM_SCALE_DIR:-/tmp/sem-scale-galera}"
. "$(dirname "$0")/scale-out.lib.sh"
scale_begin 900
DURATION="${SEM_SCALE_DURATION_S:-90}"
RES="$SEM_SCALE_DIR/results"

scale_log "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
scale_secrets
scale_log "galera: 3 nodes"; scale_galera_up
scale_bootstrap "$SEM_SCALE_DIR/n1/mysqld.sock" 14001
scale_haproxy_up 14081 14082
scale_wait 30 "haproxy writer" mariadb --no-defaults -h127.0.0.1 -P14050 -usem_owner -p"$(cat "$SEM_SCALE_DIR/secrets/owner")" -e 'SELECT 1'
scale_api_up api1 14081 14050
scale_api_up api2 14082 14050
scale_mqtt_up 14050
scale_log "stack up: nodes n1 (writer) n2 n3, haproxy 14050/14080, api 14081 14082"

scale_bg stream "$SCALE_NODE" "$SCALE_ROOT/bench/scale-out/device-stream.load.ts" --url http://127.0.0.1:14080 \
  --admin-token "$(cat "$SEM_SCALE_DIR/secrets/admin-token")" --create --devices "${SEM_SCALE_DEVICES:-40}" \
  --batched "${SEM_SCALE_BATCHED:-10}" --mqtt-url mqtt://127.0.0.1:14083 --mqtt-devices "${SEM_SCALE_MQTT_DEVICES:-0}" --duration-s "${SEM_SCALE_MAX_S:-900}" --stop-file "$SEM_SCALE_DIR/stop-stream" \
  --out "$RES/galera-run.json"
STREAM=$(cat "$SCALE_PIDS/stream.pid")
t0=$(date +%s.%N)
at() { local wait; wait=$(echo "$t0 + $1 - $(date +%s.%N)" | bc); [ "${wait:0:1}" = - ] || sleep "$wait"; }
since() { echo "$(date +%s.%N) - $1" | bc | xargs printf '%.1f'; }

rejoin() { # N SURVIVOR: wait until the others evicted node N, restart it, time the rejoin
  local n="$1" s="$2" k; k=$(date +%s.%N)
  scale_wait 60 "eviction of n$n" scale_cluster_size_is "$s" 2
  scale_log "n$n evicted after $(since "$k") s"
  k=$(date +%s.%N); bash "$SCALE_HERE/galera-node.sh" start "$n"
  scale_wait 120 "n$n synced" scale_synced "$n"
  scale_log "n$n synced $(since "$k") s after restart; $(grep -Eo 'IST received: [^ ]*|State transfer required|SST .{0,40}complete' "$SEM_SCALE_DIR/n$n/err.log" | tail -2 | tr '\n' ' ')"
}

# The replica fault runs on its own clock; node faults follow each other (a second node down before the
# first is back would cost the quorum). The stream runs until all of them are over, and at least DURATION s.
(
  at $((DURATION / 2)); scale_log "SIGKILL api1"; scale_stop api1 KILL
  # Its journal rows of rollups not yet written stay behind; a live writer replays them after a minute.
  sleep 10; scale_api_up api1 14081 14050; scale_log "api1 restarted (as a supervisor would)"
) & APIFAULT=$!
at 15; scale_log "SIGKILL n1 (the writer)"; bash "$SCALE_HERE/galera-node.sh" kill 1
rejoin 1 2
at $((DURATION / 2 + 10)); scale_log "SIGKILL n3 (a standby)"; bash "$SCALE_HERE/galera-node.sh" kill 3
rejoin 3 1
wait "$APIFAULT"
sleep 10
at "$DURATION"
scale_log "faults over: stopping the stream (requests in flight are re-sent until answered)"
touch "$SEM_SCALE_DIR/stop-stream"
wait "$STREAM" || true
grep -v '^t=' "$SEM_SCALE_DIR/stream.log" | tail -1
ACKED=$(grep -o '"acked": *[0-9]*' "$RES/galera-run.json" | head -1 | grep -o '[0-9]*$')
scale_wait_rows 14050 "$ACKED" || true   # the MQTT ingest stores what the broker acknowledged
journal() { mariadb --no-defaults -h127.0.0.1 -P14050 -usem_owner -p"$(cat "$SEM_SCALE_DIR/secrets/owner")" -N sem -e 'SELECT COUNT(*) FROM rollup_journal'; }
scale_log "rollup journal rows after the stream: $(journal); waiting for the orphan replay (rows > 1 min old, checked every 30 s)"
journal_empty() { [ "$(journal)" = 0 ]; }
scale_wait 150 "an empty rollup journal" journal_empty || true
scale_log "rollup journal rows: $(journal)"
scale_stop api1; scale_stop api2; scale_stop mqtt-ingest   # SIGTERM: drain and write the deferred rollups
for n in 1 2 3; do scale_wait 60 "n$n synced" scale_synced "$n"; done

scale_log "single-server reference run of the same input"
scale_single_up
scale_bootstrap "$SEM_SCALE_DIR/single/mysqld.sock" 14009
scale_api_up single-api 14089 14009
scale_mqtt_ingest_up mqtt-ingest-single 14009 sem-scale-single
# In the background, so the time limit's signal is handled at once (bash runs traps only between commands).
scale_bg replay "$SCALE_NODE" "$SCALE_ROOT/bench/scale-out/device-stream.load.ts" --url http://127.0.0.1:14089 \
  --mqtt-url mqtt://127.0.0.1:14083 --admin-token "$(cat "$SEM_SCALE_DIR/secrets/admin-token")" \
  --replay "$RES/galera-run.json" --out "$RES/single-run.json"
wait "$(cat "$SCALE_PIDS/replay.pid")" || true
tail -1 "$SEM_SCALE_DIR/replay.log"
scale_wait_rows 14009 "$ACKED" || true
scale_stop single-api; scale_stop mqtt-ingest-single

pw=$(cat "$SEM_SCALE_DIR/secrets/owner")
scale_log "comparing"
"$SCALE_NODE" "$SCALE_ROOT/bench/scale-out/tables.compare.ts" --run "$RES/galera-run.json" --out "$RES/compare.json" \
  --a "mysql://sem_owner:$pw@127.0.0.1:14050/sem" --b "mysql://sem_owner:$pw@127.0.0.1:14009/sem" \
  --node "mysql://sem_owner:$pw@127.0.0.1:14001/sem" --node "mysql://sem_owner:$pw@127.0.0.1:14002/sem" \
  --node "mysql://sem_owner:$pw@127.0.0.1:14003/sem" && ok=1 || ok=0
scale_log "load after: $(cut -d' ' -f1-3 /proc/loadavg); results in $RES"
[ "$ok" = 1 ] && scale_log "PASS" || { scale_log "FAIL (see $RES/compare.json)"; exit 1; }
