#!/usr/bin/env bash
# Can Spider carry the write path? (npm run scale-out:spider; not part of npm test.) A Spider head (14060)
# with `reading` partitioned by device over SEM_SCALE_SHARDS (2) shard servers, one ingest-api on the head:
# merge/duplicate probes, then simulated devices for SEM_SCALE_DURATION_S (30), then the same input on a
# single server and a table-by-table comparison. Stops everything it started.
set -euo pipefail
export SEM_SCALE_DIR="${SEM_SCALE_DIR:-/tmp/sem-scale-spider}"
. "$(dirname "$0")/scale-out.lib.sh"
scale_begin 600
SHARDS="${SEM_SCALE_SHARDS:-2}"
RES="$SEM_SCALE_DIR/results"

scale_log "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
scale_secrets
scale_spider_up "$SHARDS"
scale_bootstrap "$SEM_SCALE_DIR/head/mysqld.sock" 14060
socks=$(for k in $(seq 1 "$SHARDS"); do printf '%s,' "$SEM_SCALE_DIR/s$k/mysqld.sock"; done)
ports=$(for k in $(seq 1 "$SHARDS"); do printf '1406%s,' "$k"; done)
"$SCALE_NODE" "$SCALE_ROOT/bench/scale-out/spider-shard.setup.ts" --head-socket "$SEM_SCALE_DIR/head/mysqld.sock" \
  --db sem --shards "$ports" --shard-sockets "$socks" --password "$(cat "$SEM_SCALE_DIR/secrets/owner")"
scale_api_up api 14085 14060
token=$(cat "$SEM_SCALE_DIR/secrets/admin-token")

# Probes: stored, merged (the ODKU that fills NULL columns), duplicate, and a duplicate followed by new rows
# of the same device in one statement (Spider's spider_direct_dup_insert=0 case).
probe_fail=0
probes() { # PORT
  local port="$1" key
  key=$(curl -fsS -X POST "http://127.0.0.1:$port/api/v1/admin/devices" -H "Authorization: Bearer $token" \
    -H 'content-type: application/json' -d '{"name":"probe","country":"BE"}' | sed -E 's/.*"key":"([^"]+)".*/\1/')
  probe() { # EXPECTED BODY
    local got; got=$(curl -sS -X POST "http://127.0.0.1:$port/api/v1/readings" -H "Authorization: Bearer $key" \
      -H 'content-type: application/json' -d "$2" -w ' HTTP %{http_code}')
    echo "probe: $got" | cut -c1-200
    case "$got" in *"$1"*) ;; *) echo "probe FAILED: expected $1" >&2; probe_fail=1 ;; esac
  }
  probe '"status":"stored"' '{"time":"2026-11-20T00:00:00Z","powerImportW":100}'
  probe '"status":"merged"' '{"time":"2026-11-20T00:00:00Z","powerImportW":100,"energyImportT1Kwh":1.5}'
  probe '"status":"duplicate"' '{"time":"2026-11-20T00:00:00Z","powerImportW":100}'
  probe '"merged":1' '[{"time":"2026-11-20T00:00:00Z","voltageL1V":230.1},{"time":"2026-11-20T00:00:02Z","powerImportW":2},{"time":"2026-11-20T00:00:04Z","powerImportW":4}]'
  probe '"duplicates":1' '[{"time":"2026-11-20T00:00:00Z","powerImportW":100},{"time":"2026-11-20T00:00:06Z","powerImportW":6}]'
}
probes 14085
mariadb --no-defaults -uroot --socket="$SEM_SCALE_DIR/head/mysqld.sock" sem -e \
  "SELECT meter_time, power_import_w, energy_import_t1_wh, voltage_l1_dv FROM reading WHERE device_id = (SELECT id FROM device WHERE name = 'probe') ORDER BY meter_time"

scale_log "stream through the Spider head"
"$SCALE_NODE" "$SCALE_ROOT/bench/scale-out/device-stream.load.ts" --url http://127.0.0.1:14085 --admin-token "$token" \
  --create --devices "${SEM_SCALE_DEVICES:-20}" --batched 5 --duration-s "${SEM_SCALE_DURATION_S:-30}" --out "$RES/spider-run.json" | tail -1
scale_stop api
for k in $(seq 1 "$SHARDS"); do
  echo "shard s$k rows: $(mariadb --no-defaults -uroot --socket="$SEM_SCALE_DIR/s$k/mysqld.sock" -N sem -e 'SELECT COUNT(*), COUNT(DISTINCT device_id) FROM reading')"
done

scale_log "single-server reference run of the same input"
scale_plain_up single 14008
scale_bootstrap "$SEM_SCALE_DIR/single/mysqld.sock" 14008
scale_api_up single-api 14088 14008
probes 14088
"$SCALE_NODE" "$SCALE_ROOT/bench/scale-out/device-stream.load.ts" --url http://127.0.0.1:14088 --admin-token "$token" \
  --replay "$RES/spider-run.json" --out "$RES/single-run.json" | tail -1
scale_stop single-api
pw=$(cat "$SEM_SCALE_DIR/secrets/owner")
"$SCALE_NODE" "$SCALE_ROOT/bench/scale-out/tables.compare.ts" --run "$RES/spider-run.json" --out "$RES/compare.json" \
  --a "mysql://sem_owner:$pw@127.0.0.1:14060/sem" --b "mysql://sem_owner:$pw@127.0.0.1:14008/sem" && ok=1 || ok=0
scale_log "load after: $(cut -d' ' -f1-3 /proc/loadavg); results in $RES"
[ "$ok" = 1 ] && [ "$probe_fail" = 0 ] && scale_log "PASS" || { scale_log "FAIL"; exit 1; }
