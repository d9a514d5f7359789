#!/usr/bin/env bash
# End-to-end smoke run of pod.yaml on this machine (`npm run smoke`; not part of `npm test`):
#   1. host set-up (podman, runc, containers.conf), base images (stand-ins where none can be pulled;
#      Grafana's is not Grafana, see test/smoke/stand-ins/grafana), the stack's images, throw-away
#      secrets, then `podman kube play` of a renamed copy of pod.yaml with its optional demo simulator
#      switched on; the pod status as docs/deploy.md explains it (Degraded only by the exited migrate);
#   2. a device key made with the API's CLI inside its container, and a real P1 telegram POSTed to
#      the published port;
#   3. the reading read back through the API, and as the read-only Grafana user (mariadb client
#      inside the pod, over 127.0.0.1:3306 as Grafana connects): a panel query, every dashboard query
#      in grafana/dashboards expanded like Grafana, and the refusals (DELETE, DDL, key tables);
#   4. MQTT: a device's broker credentials from the credentials CLI inside mqtt-ingest, a real P1
#      telegram published at QoS 1 over TLS to the published 8883 (host mosquitto_pub, the generated
#      CA), the reading found as the read-only user; 1883 is not published;
#   5. the simulator image, and the pod's demo simulator, posting into the API;
#   6. an upgrade: an image with one more migration (test/smoke/upgrade) and `kube play --replace`:
#      exactly that migration applies, the data, the demo device's key, the MQTT account and a
#      reading queued at the broker while mqtt-ingest was down survive;
#   7. backups that restore: once the API's first raw-retention run is over, the pod's backup container
#      dumps the database (counted before and after: unchanged), every volume is destroyed,
#      deploy/restore.sh loads the dump into a fresh pod without Grafana and MQTT, and the counts and
#      rollups match;
#   8. teardown of the pod, its volumes and its secret, also on failure. Images stay cached.
# Throughout: HTTPS on 8443 and Grafana's on 3000 verified against the set-up's local CA (and refused
# without it), plain HTTP on 8080, /metrics only on the unpublished ops port or with the admin token,
# and each running container unprivileged (uid, capabilities, no_new_privs, read-only root) as
# pod.yaml asks. Runs under its own names (pod sem-smoke, volumes sem-smoke-*, secret
# sem-smoke-secrets), never touching a real `sem` deployment; it does need host ports 8080, 8443,
# 8883 and 3000 (SEM_SMOKE_PORT, SEM_SMOKE_HTTPS_PORT, SEM_SMOKE_MQTT_PORT, SEM_SMOKE_GRAFANA_PORT) free.
# SEM_SMOKE_KEEP=1 leaves the pod running for inspection (and prints how to remove it).
set -euo pipefail

t0=$(date +%s)
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
# shellcheck source=deploy/lib/secrets.sh
. deploy/lib/secrets.sh
# shellcheck source=deploy/lib/images.sh
. deploy/lib/images.sh
# shellcheck source=deploy/lib/pod-variant.sh
. deploy/lib/pod-variant.sh

pod=sem-smoke
secret=sem-smoke-secrets
port="${SEM_SMOKE_PORT:-8080}"
https_port="${SEM_SMOKE_HTTPS_PORT:-8443}"
grafana_port="${SEM_SMOKE_GRAFANA_PORT:-3000}"
mqtt_port="${SEM_SMOKE_MQTT_PORT:-8883}"
mqtt_fixture="${SEM_SMOKE_MQTT_FIXTURE:-packages/meter-protocol/fixtures/dsmr/athom_iskra_am550_dsmr50.txt}"
fixture="${SEM_SMOKE_FIXTURE:-packages/meter-protocol/fixtures/dsmr/dp_fluvius_v171.txt}"
api="http://127.0.0.1:$port"
api_tls="https://127.0.0.1:$https_port"
work="$(mktemp -d /tmp/sem-smoke.XXXXXX)"
podyaml="$work/pod.yaml"
smoke_volumes="sem-smoke-mariadb-data sem-smoke-grafana-data sem-smoke-device-sim-data sem-smoke-mosquitto-passwd sem-smoke-mosquitto-data sem-smoke-backups"

step() { printf '\n== [%3ss] %s\n' "$(($(date +%s) - t0))" "$*"; }
ok() { echo "   ok: $*"; }
die() { echo "SMOKE FAILED: $*" >&2; exit 1; }
# A failed check that does not stop the later steps; the run still fails at the end.
later=()
fail_later() { echo "   FAILED: $*" >&2; later+=("$*"); }
# Runs the command once a second until it succeeds, at most SECONDS times: wait_until SECONDS command [args].
wait_until() { local n=$1; shift; for _ in $(seq 1 "$n"); do "$@" && return 0; sleep 1; done; return 1; }
# JSON field by dotted path, read from stdin (the repo's node, via npm run, or the system one).
json() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{let v=JSON.parse(s);for(const k of process.argv[1].split("."))v=v?.[k];process.stdout.write(v===undefined?"":typeof v==="object"?JSON.stringify(v):String(v))})' "$1"; }

dump_logs() {
  local c
  for c in mariadb migrate ingest-api mosquitto mqtt-ingest backup device-sim grafana; do
    podman container exists "$pod-$c" 2>/dev/null || continue
    echo "---- last log lines of $pod-$c ($(podman inspect --format '{{.State.Status}} exit={{.State.ExitCode}}' "$pod-$c" 2>/dev/null))" >&2
    podman logs --tail 25 "$pod-$c" 2>&1 | sed 's/^/   /' >&2 || true
    # Pino error/fatal lines, which a burst of request logs can push out of the tail.
    podman logs "$pod-$c" 2>&1 | grep '"level":[56]0' | tail -n 3 | cut -c1-600 | sed 's/^/   ERROR: /' >&2 || true
  done
}

teardown() {
  local rc=$?
  [ "$rc" = 0 ] || dump_logs
  if [ "${SEM_SMOKE_KEEP:-0}" = 1 ]; then
    echo "SEM_SMOKE_KEEP=1: left running. Remove with: podman kube down $podyaml;" \
      "podman volume rm -f $smoke_volumes; podman secret rm $secret"
    exit "$rc"
  fi
  step "teardown: pod, volumes, secret"
  [ -f "$podyaml" ] && podman kube down "$podyaml" >/dev/null 2>&1 || true
  podman pod rm -f "$pod" >/dev/null 2>&1 || true
  # shellcheck disable=SC2086 # a list of names
  podman volume rm -f $smoke_volumes >/dev/null 2>&1 || true
  podman secret rm "$secret" >/dev/null 2>&1 || true
  podman rmi localhost/sem-ingest-api:smoke-upgrade >/dev/null 2>&1 || true
  rm -rf "$work"
  local left
  left="$(podman pod ls -q --filter name="^$pod\$"; podman volume ls -q --filter name=sem-smoke; podman secret ls --format '{{.Name}}' | grep -x "$secret" || true)"
  [ -z "$left" ] && ok "nothing left behind" || echo "   WARNING: left behind: $left" >&2
  if [ "$rc" = 0 ]; then
    echo; echo "SMOKE PASSED in $(($(date +%s) - t0)) s"
  else
    echo; echo "SMOKE FAILED (exit $rc) after $(($(date +%s) - t0)) s" >&2
  fi
  exit "$rc"
}
trap teardown EXIT
trap 'exit 130' INT TERM

# --- 1. host, images, secrets, pod ----------------------------------------------------------------
step "host set-up"
if [ "$(id -u)" = 0 ]; then
  bash test/smoke/host-setup.sh
else
  command -v podman >/dev/null || die "podman missing; run once as root: bash test/smoke/host-setup.sh"
  echo "   not root: skipping host set-up (podman $(podman --version | awk '{print $3}'))"
fi

step "base images (official ones if present, else local stand-ins)"
bash test/smoke/stand-ins/build.sh
grafana_image="$(sed -n 's/^ *image: *\(docker.io\/grafana\/[^ ]*\).*/\1/p' pod.yaml | head -n1)"
with_grafana=0
if podman image exists "$grafana_image"; then
  with_grafana=1
  if [ "$(podman image inspect --format '{{index .Labels "org.sem.stand-in"}}' "$grafana_image")" = true ]; then
    ok "$grafana_image is the STAND-IN (test/smoke/stand-ins/grafana, not Grafana): the run checks the pod's"
    echo "       Grafana wiring (HTTPS with GF_SERVER_CERT_*, admin password, probe, hardening); the datasource SQL"
    echo "       runs with the mariadb client instead"
  else
    ok "$grafana_image present: Grafana is part of this run"
  fi
else
  echo "   NOTE: no $grafana_image here (test/smoke/stand-ins/build.sh makes a stand-in):"
  echo "         the smoke pod leaves Grafana out; its datasource SQL is run with the mariadb client instead."
fi

step "stack images"
sem_build_images "$root" --layers >"$work/build.log" 2>&1 || { tail -n 30 "$work/build.log" >&2; die "image build failed"; }
ok "$SEM_API_IMAGE, $SEM_SIM_IMAGE"

step "throw-away secrets -> podman secret $secret"
sem_generate_secrets "$work/secrets" >/dev/null
sem_podman_secret_create "$secret" "$work/secrets"
ok "$(podman secret ls --format '{{.Name}}' | grep -cx "$secret") secret with ${#SEM_SECRET_NAMES[@]} keys"
# The broker's TLS material, made as deploy/setup.sh makes it (throw-away CA and server certificate).
bash deploy/mosquitto/gen-certs.sh "$work/secrets/mqtt-tls" >/dev/null
ok "MQTT TLS: $(cd "$work/secrets/mqtt-tls" && ls | tr '\n' ' ')(gen-certs.sh)"
# The API's and Grafana's certificate, signed by the same local CA, as deploy/setup.sh makes it.
CA_DIR="$work/secrets/mqtt-tls" bash deploy/mosquitto/gen-certs.sh "$work/secrets/https-tls" >/dev/null
openssl verify -CAfile "$work/secrets/mqtt-tls/ca.crt" "$work/secrets/https-tls/server.crt" >/dev/null || die "the HTTPS certificate is not signed by the local CA"
ok "HTTPS TLS: $(cd "$work/secrets/https-tls" && ls | tr '\n' ' ')(same CA as MQTT)"

step "pod.yaml -> $pod"
# Same file, own names: pod, secret, volumes, host ports; its optional parts cut or added as
# deploy/setup.sh --without/--with does (deploy/lib/pod-variant.sh): smoke_pod_yaml WITHOUT WITH.
smoke_pod_yaml() {
  sem_pod_variant pod.yaml "$work/pod.variant.yaml" "$1" "$2"
  sed -e "s/^  name: sem$/  name: $pod/" \
      -e "s/name: sem-secrets,/name: $secret,/" \
      -e "s/claimName: sem-/claimName: sem-smoke-/" \
      -e "s/hostPort: 8080 /hostPort: $port /" \
      -e "s/hostPort: 8443 /hostPort: $https_port /" \
      -e "s/name: sem-tmp-/name: sem-smoke-tmp-/" \
      -e "s|path: ./deploy/secrets/https-tls,|path: $work/secrets/https-tls,|" \
      -e "s/hostPort: 3000 /hostPort: $grafana_port /" \
      -e "s/hostPort: 8883 /hostPort: $mqtt_port /" \
      -e "s|path: ./deploy/secrets/mqtt-tls,|path: $work/secrets/mqtt-tls,|" \
      -e 's/name: SEM_HA_DISCOVERY, value: "false"/name: SEM_HA_DISCOVERY, value: "true"/' \
      "$work/pod.variant.yaml" >"$podyaml"
}
# The optional demo simulator, commented out in pod.yaml, is switched on here so that block is tested too.
without_grafana="$([ "$with_grafana" = 0 ] && echo grafana || true)"
smoke_pod_yaml "$without_grafana" device-sim
grep -q "name: $pod$" "$podyaml" && ! grep -q 'name: sem-secrets' "$podyaml" && ! grep -q 'path: ./deploy/secrets' "$podyaml" \
  || die "renaming pod.yaml failed"
for p in "$port" "$https_port" "$mqtt_port" $([ "$with_grafana" = 1 ] && echo "$grafana_port"); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then die "host port $p is in use (set SEM_SMOKE_PORT)"; fi
done
# Leftovers of an interrupted run (a stale volume would keep stale passwords).
podman pod rm -f "$pod" >/dev/null 2>&1 || true
# shellcheck disable=SC2086 # a list of names
podman volume rm -f $smoke_volumes >/dev/null 2>&1 || true
# (Without systemd, as in CI containers, podman warns that it cannot schedule the probes: kept in play.log.)
podman kube play "$podyaml" >"$work/play.log" 2>&1 || { cat "$work/play.log" >&2; die "kube play failed"; }
ok "pod $pod: $(podman ps -a --filter pod="$pod" --format '{{.Names}}' | grep -v infra | tr '\n' ' ')"

# Waits until the migrate step exited 0 and the API says ready (database reachable).
state_of() { podman inspect --format '{{.State.Status}} {{.State.ExitCode}}' "$pod-$1" 2>/dev/null || echo missing; }
wait_ready() {
  local deadline=$(($(date +%s) + ${1:-240})) state
  while :; do
    state="$(state_of migrate)"
    if [ "$state" = "exited 0" ] && curl -fsS -o /dev/null "$api/readyz" 2>/dev/null; then return 0; fi
    [ "$(date +%s)" -lt "$deadline" ] || die "not ready in time (migrate: $state)"
    sleep 1
  done
}
step "waiting for MariaDB init, the migrate step and the API"
wait_ready 240
ok "migrate exited 0: $(podman logs "$pod-migrate" 2>&1 | grep -c '^success') migrations applied"
ok "$api/readyz answers 200"
# A probe starts a process (node, the mariadb client) under a 5-10 s timeout: on a loaded host, allow a retry.
for c in mariadb ingest-api; do
  wait_until 3 podman healthcheck run "$pod-$c" >/dev/null 2>&1 || die "probe of $pod-$c failed 3 times: $(podman healthcheck run "$pod-$c" 2>&1)"
done
ok "liveness probes (exec argv) pass: mariadb healthcheck.sh, ingest-api http-probe"
# docs/deploy.md explains the pod's status: Degraded, because the one-shot migrate has exited (0) while
# the rest runs; Podman 4.3 removes the init container once it has run, so it does not count.
pod_status_as_documented() {
  local status others
  status="$(podman pod ps --filter name="^$pod\$" --format '{{.Status}}')"
  others="$(podman ps -a --filter pod="$pod" --format '{{.Names}}' | grep -v -- '-infra$\|-migrate$' \
    | xargs podman inspect --format '{{.Name}} {{.State.Status}}' | grep -v ' running$' || true)"
  [ "$status" = Degraded ] && [ "$(state_of migrate)" = "exited 0" ] && [ -z "$others" ] \
    || die "pod status $status (migrate: $(state_of migrate); not running: ${others:-none}), not as docs/deploy.md explains"
  ! podman container exists "$pod-passwd-volume" || die "the init container $pod-passwd-volume is still there"
  ok "podman pod ps: $status, only because migrate exited 0; every other container running (as docs/deploy.md says)"
}
pod_status_as_documented
ok "published ports: $(podman port "$pod-ingest-api" 2>/dev/null | tr '\n' ' ')"
if podman port "$pod-mariadb" 2>/dev/null | grep -q 3306; then die "3306 is published"; fi
ok "3306 not published"
# The pod's published ports are the infra container's: exactly the API's and TLS MQTT's (and Grafana's).
published="$(podman port "$pod-mosquitto" 2>/dev/null | sed 's/ -> .*//' | sort | tr '\n' ' ')"
case " $published " in *" 8883/tcp "*) ;; *) die "8883 is not published (published: $published)" ;; esac
case " $published " in *" 1883/tcp "*|*" 9465/tcp "*) die "plain MQTT 1883 or the ops port 9465 is published: $published" ;; esac
ok "published: ${published}(8883 = MQTT over TLS; plain 1883 and 9465 are not)"
case " $published " in *" 8443/tcp "*) ;; *) die "8443 (HTTPS) is not published: $published" ;; esac
case " $published " in *" 9464/tcp "*) die "the API's ops port 9464 is published: $published" ;; esac

step "HTTPS on $https_port with the local CA; /metrics and /docs/json off the device ports"
curl -fsS -o /dev/null --cacert "$work/secrets/mqtt-tls/ca.crt" "$api_tls/readyz" || die "HTTPS with the local CA failed"
if curl -fsS -o /dev/null "$api_tls/healthz" 2>/dev/null; then die "HTTPS passed without the local CA"; fi
ok "$api_tls/readyz answers over TLS verified against ca.crt; a client without it is refused"
for path in /metrics /docs/json; do
  for base in "$api" "$api_tls"; do
    code="$(curl -sS -o /dev/null -w '%{http_code}' --cacert "$work/secrets/mqtt-tls/ca.crt" "$base$path")"
    [ "$code" = 401 ] || die "$base$path without the admin token answered $code, not 401"
  done
  code="$(curl -sS -o /dev/null -w '%{http_code}' --cacert "$work/secrets/mqtt-tls/ca.crt" -H "Authorization: Bearer $(cat "$work/secrets/admin-token")" "$api_tls$path")"
  [ "$code" = 200 ] || die "$api_tls$path with the admin token answered $code"
  podman exec "$pod-ingest-api" node deploy/container/http-probe.ts "http://127.0.0.1:9464$path" >/dev/null || die "ops port: $path failed"
done
ok "/metrics, /docs/json: 401 on $port and $https_port without the token, 200 with it, 200 on the pod-internal ops port 9464"

if [ "$with_grafana" = 1 ]; then
  step "Grafana over HTTPS on $grafana_port with the same local CA (GF_SERVER_PROTOCOL=https, GF_SERVER_CERT_*)"
  grafana_tls="https://127.0.0.1:$grafana_port"
  wait_until 90 curl -fsS -o /dev/null --cacert "$work/secrets/mqtt-tls/ca.crt" "$grafana_tls/api/health" \
    || die "Grafana does not answer over HTTPS verified against the local CA"
  if curl -fsS -o /dev/null "$grafana_tls/api/health" 2>/dev/null; then die "Grafana's HTTPS passed without the local CA"; fi
  if curl -fsS -o /dev/null "http://127.0.0.1:$grafana_port/api/health" 2>/dev/null; then die "Grafana answers plain HTTP on $grafana_port"; fi
  ok "$grafana_tls/api/health answers over TLS verified against ca.crt; refused without it; no plain HTTP on $grafana_port"
  code="$(curl -sS -o /dev/null -w '%{http_code}' --cacert "$work/secrets/mqtt-tls/ca.crt" \
    -u "admin:$(cat "$work/secrets/grafana-admin-password")" "$grafana_tls/api/user")"
  [ "$code" = 200 ] || die "Grafana's admin with the set-up's password answered $code"
  code="$(curl -sS -o /dev/null -w '%{http_code}' --cacert "$work/secrets/mqtt-tls/ca.crt" -u admin:admin "$grafana_tls/api/user")"
  [ "$code" = 401 ] || die "Grafana's admin with the default password answered $code, not 401"
  ok "admin signs in with the secret's grafana-admin-password (200); the default admin:admin is refused (401)"
  wait_until 3 podman healthcheck run "$pod-grafana" >/dev/null 2>&1 || die "probe of $pod-grafana failed: $(podman healthcheck run "$pod-grafana" 2>&1)"
  ok "Grafana's liveness probe (curl over HTTPS with the CA) passes"
fi

step "each container as pod.yaml asks: non-root, no capabilities, no_new_privs, read-only root"
for c in mariadb ingest-api mosquitto mqtt-ingest backup $([ "$with_grafana" = 1 ] && echo grafana); do
  status="$(podman exec "$pod-$c" cat /proc/1/status)" || die "cannot read /proc/1/status in $pod-$c"
  uid="$(awk '$1 == "Uid:" { print $2 }' <<<"$status")"
  capeff="$(awk '$1 == "CapEff:" { print $2 }' <<<"$status")"
  nnp="$(awk '$1 == "NoNewPrivs:" { print $2 }' <<<"$status")"
  ro="$(podman inspect --format '{{.HostConfig.ReadonlyRootfs}}' "$pod-$c")"
  [ "$uid" != 0 ] && [ "$capeff" = 0000000000000000 ] && [ "$nnp" = 1 ] && [ "$ro" = true ] \
    || die "$pod-$c: uid $uid, CapEff $capeff, NoNewPrivs $nnp, read-only root $ro"
  echo "   ok: $pod-$c: uid $uid, no capabilities, no_new_privs, read-only root"
done

# --- 2. device key through the CLI, real telegram through the published port ------------------------
step "device key via the CLI inside $pod-ingest-api"
cli_out="$(podman exec "$pod-ingest-api" node services/ingest-api/src/cli/devices.ts \
  add --name smoke-meter --country BE --time-zone Europe/Brussels --json)" || die "device CLI failed: $cli_out"
key="$(printf '%s' "$cli_out" | json key.key)"
device_id="$(printf '%s' "$cli_out" | json device.id)"
[ -n "$key" ] || die "no key in the CLI output"
ok "device $device_id smoke-meter created; key ${key:0:6}… (${#key} chars, printed once by the CLI)"

step "POST $fixture -> $api/api/v1/telegrams"
code="$(curl -sS -o "$work/post.json" -w '%{http_code}' -X POST "$api/api/v1/telegrams" \
  -H "Authorization: Bearer $key" -H 'Content-Type: text/plain' --data-binary "@$fixture")"
[ "$code" = 201 ] || die "POST answered $code: $(cat "$work/post.json")"
ok "201 $(cat "$work/post.json")"
bad="$(curl -sS -o /dev/null -w '%{http_code}' -X POST "$api/api/v1/telegrams" \
  -H 'Authorization: Bearer not-a-key' -H 'Content-Type: text/plain' --data-binary "@$fixture")"
[ "$bad" = 401 ] || die "a wrong key got $bad, not 401"
ok "wrong key: 401"

# --- 3. read back: API, then Grafana's datasource SQL as the read-only user --------------------------
# The capture's own values: 1-0:1.8.1 = 000000.034 kWh, 1-0:1.8.2 = 000015.758 kWh at
# 200512135409S (Belgian summer time) = 2020-05-12T11:54:09Z.
expect_t1_wh=34
expect_t2_wh=15758
step "read back through the API"
curl -fsS -H "Authorization: Bearer $key" \
  "$api/api/v1/readings?from=2020-05-12T11:00:00Z&to=2020-05-12T12:00:00Z&resolution=raw" >"$work/readings.json" \
  || die "GET /api/v1/readings failed"
n="$(json readings.length <"$work/readings.json")"
t1="$(json readings.0.energyImportT1Kwh <"$work/readings.json")"
t2="$(json readings.0.energyImportT2Kwh <"$work/readings.json")"
time="$(json readings.0.time <"$work/readings.json")"
[ "$n" = 1 ] || die "expected 1 reading, got ${n:-none}: $(head -c 400 "$work/readings.json")"
[ "$t1" = 0.034 ] && [ "$t2" = 15.758 ] || die "values differ: t1=$t1 t2=$t2"
ok "1 reading at $time: import T1 $t1 kWh, T2 $t2 kWh"

ro_sql() { # SQL as the read-only Grafana account, over TCP 127.0.0.1:3306 with the datasource's session zone
  podman exec -e MYSQL_PWD="$(cat "$work/secrets/db-readonly-password")" "$pod-mariadb" \
    mariadb --protocol=tcp -h127.0.0.1 -P3306 -usem_grafana sem --batch --skip-column-names \
    --init-command="SET time_zone = '+00:00'" -e "$1"
}
step "read back with the datasource's SQL as sem_grafana (SELECT only)"
# A time-series panel query after Grafana's macro expansion ($__time, $__timeFilter).
row="$(ro_sql "SELECT UNIX_TIMESTAMP(r.meter_time) AS time_sec, r.energy_import_t1_wh, r.energy_import_t2_wh
  FROM reading r JOIN device d ON d.id = r.device_id
  WHERE d.name = 'smoke-meter'
    AND r.meter_time BETWEEN FROM_UNIXTIME(1589281200) AND FROM_UNIXTIME(1589284800)
  ORDER BY r.meter_time")" || die "read-only SELECT failed"
[ "$row" = "$(printf '1589284449.000\t%s\t%s' "$expect_t1_wh" "$expect_t2_wh")" ] || die "SQL row differs: '$row'"
ok "row: $(echo "$row" | tr '\t' ' ') (2020-05-12T11:54:09Z, Wh)"
if ro_sql "DELETE FROM reading" >/dev/null 2>&1; then die "sem_grafana could DELETE"; fi
if ro_sql "CREATE TABLE x (i INT)" >/dev/null 2>&1; then die "sem_grafana could CREATE"; fi
if ro_sql "SELECT COUNT(*) FROM device_key" >/dev/null 2>&1; then die "sem_grafana could read device_key"; fi
ok "sem_grafana: DELETE, CREATE and SELECT on device_key are refused"
settings="$(ro_sql "SELECT @@global.innodb_flush_log_at_trx_commit, @@global.log_bin, @@global.sync_binlog, @@max_statement_time")"
[ "$settings" = "$(printf '1\t0\t1\t30.000000')" ] || die "MariaDB settings (flush at commit, log_bin, sync_binlog, sem_grafana's statement time): $settings"
ok "MariaDB: innodb_flush_log_at_trx_commit=1, no binlog (sync_binlog=1 should one be enabled); sem_grafana's statements stop at 30 s"
# Rollups are journalled with the reading and written by the API every SEM_ROLLUP_FLUSH_MS (2 s by default).
rolled_up() {
  minute_rows="$(ro_sql "SELECT COUNT(*) FROM rollup_minute m JOIN device d ON d.id = m.device_id WHERE d.name = 'smoke-meter'")"
  [ "$minute_rows" = 1 ] && [ "$(ro_sql "SELECT COUNT(*) FROM rollup_journal")" = 0 ]
}
wait_until 20 rolled_up || die "the deferred rollups were not written (rollup_minute rows: ${minute_rows:-none})"
ok "the reading's minute rollup is written and the rollup journal is empty"

step "every dashboard query in grafana/dashboards, expanded like Grafana, as sem_grafana"
if ls grafana/dashboards/*.json >/dev/null 2>&1; then
  # Runs in the pod's network namespace (127.0.0.1:3306, as Grafana would), from the repo mounted read-only.
  podman run --rm --pod "$pod" --security-opt label=disable -v "$root:/repo:ro" \
    -e SEM_RO_PASSWORD="$(cat "$work/secrets/db-readonly-password")" "$SEM_API_IMAGE" \
    node /repo/test/smoke/dashboard-queries.ts >"$work/dashboards.log" 2>"$work/dashboards.err" && dash_rc=0 || dash_rc=$?
  sed 's/^/   /' "$work/dashboards.log"
  if [ "$dash_rc" != 0 ]; then
    grep -v 'systemd connection' "$work/dashboards.err" | sed 's/^/   /' >&2 || true
    fail_later "dashboard queries refused or broken for sem_grafana (FAIL lines above)"
  fi
else
  echo "   NOTE: no grafana/dashboards/*.json yet: skipped"
fi

# --- 4. MQTT: credentials from the CLI, a telegram over TLS at QoS 1, read back as sem_grafana ------
step "MQTT device: key via the API's CLI, broker credentials via mqtt-ingest's CLI (npm run credentials)"
podman exec "$pod-ingest-api" node services/ingest-api/src/cli/devices.ts \
  add --name smoke-mqtt --country NL --time-zone Europe/Amsterdam --json >/dev/null || die "device CLI failed for smoke-mqtt"
# The account exists once mqtt-ingest has read the registry (polled every 5 s).
mqtt_pass=""
have_credentials() {
  creds="$(podman exec "$pod-mqtt-ingest" npm run --silent credentials -w services/mqtt-ingest -- smoke-mqtt 2>"$work/creds.err")" \
    && mqtt_pass="$(printf '%s\n' "$creds" | awk '$1 == "password" { print $2 }')" && [ -n "$mqtt_pass" ]
}
wait_until 60 have_credentials || { cat "$work/creds.err" >&2; die "no MQTT credentials for smoke-mqtt: ${creds:-}"; }
ok "username smoke-mqtt, password ${mqtt_pass:0:4}… (${#mqtt_pass} chars); topics: $(printf '%s\n' "$creds" | awk '$1 == "publish" { print $2 }')"

step "publish $mqtt_fixture to sem/smoke-mqtt/telegram: TLS 127.0.0.1:$mqtt_port, generated CA, QoS 1"
mqtt_pub() { # the host's mosquitto_pub (Debian mosquitto-clients), MQTT 5 so a refusal has a reason code
  mosquitto_pub -h 127.0.0.1 -p "$mqtt_port" --cafile "$work/secrets/mqtt-tls/ca.crt" -V mqttv5 -q 1 \
    -i smoke-mqtt-pub -u smoke-mqtt -P "$mqtt_pass" "$@"
}
# Publishes and checks mosquitto_pub's own report (it can exit 0 on a refused PUBACK).
published() { mqtt_pub "$@" >"$work/pub.log" 2>&1 && ! grep -qi 'fail\|error' "$work/pub.log"; }
# The broker reloads its password file within seconds of mqtt-ingest writing the new account.
wait_until 30 published -t sem/smoke-mqtt/telegram -f "$mqtt_fixture" || die "mosquitto_pub failed: $(cat "$work/pub.log")"
ok "PUBACK received (QoS 1) over TLS verified against the generated CA"
if mosquitto_pub -h 127.0.0.1 -p "$mqtt_port" -V mqttv5 -q 1 -u smoke-mqtt -P "$mqtt_pass" -t sem/smoke-mqtt/telegram -m x \
  --cafile /etc/ssl/certs/ca-certificates.crt >/dev/null 2>&1; then die "the broker's certificate passed without our CA"; fi
if mosquitto_pub -h 127.0.0.1 -p "$mqtt_port" --cafile "$work/secrets/mqtt-tls/ca.crt" -V mqttv5 -q 1 \
  -u smoke-mqtt -P wrong-password -t sem/smoke-mqtt/telegram -m x >/dev/null 2>&1; then die "a wrong MQTT password was accepted"; fi
ok "refused: a client without the generated CA, and a wrong password"

step "the MQTT reading as sem_grafana"
# The capture's values: 1-0:1.8.1 = 003808.351 kWh, 1-0:1.8.2 = 002948.827 kWh at 181106140429W
# (Dutch winter time) = 2018-11-06T13:04:29Z; reading.source 6 = mqtt.
mqtt_row=""
mqtt_row_stored() {
  mqtt_row="$(ro_sql "SELECT UNIX_TIMESTAMP(r.meter_time), r.energy_import_t1_wh, r.energy_import_t2_wh, r.source
    FROM reading r JOIN device d ON d.id = r.device_id WHERE d.name = 'smoke-mqtt'")" || die "read-only SELECT failed"
  [ -n "$mqtt_row" ]
}
wait_until 30 mqtt_row_stored || true
[ "$mqtt_row" = "$(printf '1541509469.000\t3808351\t2948827\t6')" ] \
  || die "MQTT row differs: '${mqtt_row:-none}' (mqtt-ingest log: $(podman logs --tail 5 "$pod-mqtt-ingest" 2>&1 | tr '\n' ' ' | cut -c1-600))"
ok "row: $(echo "$mqtt_row" | tr '\t' ' ') (2018-11-06T13:04:29Z, Wh, source mqtt)"
step "Home Assistant discovery (SEM_HA_DISCOVERY=true): retained, read as the homeassistant account"
ha_messages() { # the retained discovery and state messages of smoke-mqtt, as Home Assistant subscribes
  mosquitto_sub -h 127.0.0.1 -p "$mqtt_port" --cafile "$work/secrets/mqtt-tls/ca.crt" -V mqttv5 \
    -u homeassistant -P "$(cat "$work/secrets/mqtt-homeassistant-password")" -t 'homeassistant/#' -t 'sem/+/state' \
    --retained-only -v -W 3 2>/dev/null || true
}
ha_announced() { ha_messages >"$work/ha.txt"; grep -q '^sem/smoke-mqtt/state ' "$work/ha.txt"; }
wait_until 30 ha_announced || die "no retained state of smoke-mqtt for Home Assistant: $(head -c 600 "$work/ha.txt")"
energy_config="$(grep '^homeassistant/sensor/sem_[0-9]*/energy_import_t1/config ' "$work/ha.txt" | grep '"state_topic":"sem/smoke-mqtt/state"' || true)"
case "$energy_config" in *'"device_class":"energy"'*'"state_class":"total_increasing"'*'"unit_of_measurement":"kWh"'*) ;;
  *) die "energy_import_t1 announcement of smoke-mqtt: '${energy_config:-none}'" ;; esac
grep '^sem/smoke-mqtt/state ' "$work/ha.txt" | grep -q '"energy_import_t1":3808.351' || die "state of smoke-mqtt: $(grep '^sem/smoke-mqtt/state' "$work/ha.txt")"
ok "$(grep -c '^homeassistant/sensor/' "$work/ha.txt") retained sensor announcements (energy: total_increasing kWh) and each device's state, read as homeassistant"

wait_until 30 podman healthcheck run "$pod-mqtt-ingest" >/dev/null 2>&1 || true
podman healthcheck run "$pod-mqtt-ingest" >/dev/null || die "probe of $pod-mqtt-ingest failed"
ok "liveness probe of mqtt-ingest (exec argv http-probe on 127.0.0.1:9465/healthz) passes"

# --- 5. the simulator: its image, and the pod's demo block --------------------------------------------
step "device simulator image: replays the capture 3 times into the API over HTTPS with --ca (as in the pod's demo block)"
sim_out="$(podman run --rm --pod "$pod" -e SEM_ADMIN_TOKEN="$(cat "$work/secrets/admin-token")" \
  -v "$work/secrets/https-tls:/etc/sem/tls:ro" "$SEM_SIM_IMAGE" \
  node services/device-sim/src/cli.ts --source "$fixture" --post telegram --url https://127.0.0.1:8443 --ca /etc/sem/tls/ca.crt \
  --devices 1 --name-prefix smoke-sim --zone Europe/Brussels --count 3 --interval 1s --jitter 0 \
  --outbox-dir /tmp/sem-device-sim --quiet 2>"$work/sim.err")" || { cat "$work/sim.err" >&2; die "device-sim failed"; }
acked="$(printf '%s' "$sim_out" | json acknowledged)"
[ "$acked" = 3 ] || { cat "$work/sim.err" >&2; die "device-sim: $sim_out"; }
sim_rows="$(ro_sql "SELECT COUNT(*) FROM reading r JOIN device d ON d.id = r.device_id WHERE d.name = 'smoke-sim-0001'")"
[ "$sim_rows" = 3 ] || die "expected 3 simulated readings in the database, found $sim_rows (sim: $sim_out)"
ok "device smoke-sim-0001 provisioned with the admin token; 3 telegrams acknowledged over HTTPS and stored"

demo_readings() { ro_sql "SELECT COUNT(*) FROM reading r JOIN device d ON d.id = r.device_id WHERE d.name = 'demo-0001'"; }
step "the pod's demo simulator block (device demo-0001, a telegram every 10 s)"
demo_started() { demo_before="$(demo_readings)"; [ "${demo_before:-0}" -ge 1 ]; }
wait_until 40 demo_started || die "the demo simulator stored nothing (state: $(podman inspect --format '{{.State.Status}} {{.State.ExitCode}}' "$pod-device-sim" 2>&1))"
ok "demo-0001 has $demo_before reading(s)"

# --- 6. upgrade: a new image with one more migration; migrations apply, data stays -----------------
step "upgrade: next-release image (one extra migration) + podman kube play --replace"
upgrade_image=localhost/sem-ingest-api:smoke-upgrade
podman build -q --format docker -t "$upgrade_image" test/smoke/upgrade >/dev/null || die "upgrade image did not build"
sed -i "s|image: $SEM_API_IMAGE|image: $upgrade_image|" "$podyaml"
# A reading published while mqtt-ingest is down waits in the broker's persistent queue, and must
# survive the upgrade: `podman pod stop` first, as docs/deploy.md says (kube play --replace alone
# kills Mosquitto before it saves its queue on Podman 4.3).
podman stop "$pod-mqtt-ingest" >/dev/null 2>>"$work/play.log" || die "could not stop $pod-mqtt-ingest"
mqtt_pub -t sem/smoke-mqtt/readings -m '{"time":"2018-11-06T13:05:29Z","energyImportT1Kwh":3808.352,"energyImportT2Kwh":2948.827}' \
  >"$work/pub.log" 2>&1 && ! grep -qi 'fail\|error' "$work/pub.log" || die "publishing while mqtt-ingest is down failed: $(cat "$work/pub.log")"
podman pod stop "$pod" >/dev/null 2>>"$work/play.log" || die "podman pod stop failed"
# Its last log lines can reach `podman logs` a moment after pod stop returns (seen on a loaded host).
mosquitto_saved() { podman logs "$pod-mosquitto" 2>&1 | grep -q 'terminating' && podman logs "$pod-mosquitto" 2>&1 | sed -n '/terminating/,$p' | grep -q 'Saving in-memory database'; }
wait_until 10 mosquitto_saved || die "mosquitto did not save its queue on pod stop"
ok "a JSON reading queued at the broker while mqtt-ingest was down; pod stopped, mosquitto saved its queue"
podman kube play --replace "$podyaml" >"$work/play.log" 2>&1 || { cat "$work/play.log" >&2; die "kube play --replace failed"; }
wait_ready 180
applied="$(podman logs "$pod-migrate" 2>&1 | grep '^success:' || true)"
[ "$applied" = "success: 99991231000000_create_smoke_upgrade_marker" ] || die "the upgrade applied: '${applied:-nothing}'"
ok "migrate applied only the new migration: ${applied#success: }"
n2="$(curl -fsS -H "Authorization: Bearer $key" \
  "$api/api/v1/readings?from=2020-05-12T11:00:00Z&to=2020-05-12T12:00:00Z&resolution=raw" | json readings.length)"
[ "$n2" = 1 ] || die "after the upgrade the API returns ${n2:-no} readings"
ok "after the upgrade: the reading, the device and its key are still there"
demo_devices="$(ro_sql "SELECT COUNT(*) FROM device WHERE name LIKE 'demo-%'")"
[ "$demo_devices" = 1 ] || die "after the replay the demo simulator made $demo_devices devices (its volume should keep the key)"
demo_resumed() { demo_after="$(demo_readings)"; [ "$demo_after" -gt "$demo_before" ]; }
wait_until 30 demo_resumed || die "the demo simulator stopped posting after the replay"
ok "demo simulator resumed with its stored key (still 1 demo device; $demo_after readings)"

# The queued reading arrives from the saved queue; the account (volume sem-smoke-mosquitto-passwd) still works.
mqtt_rows_are() { mqtt_rows="$(ro_sql "SELECT COUNT(*) FROM reading r JOIN device d ON d.id = r.device_id WHERE d.name = 'smoke-mqtt' AND r.source = 6")"; [ "$mqtt_rows" = "$1" ]; }
wait_until 30 mqtt_rows_are 2 || die "after the upgrade, the reading queued at the broker was not stored (smoke-mqtt rows: $mqtt_rows)"
ok "after the upgrade: the reading queued while mqtt-ingest was down is stored (2 MQTT rows)"
wait_until 30 published -t sem/smoke-mqtt/readings -m '{"time":"2018-11-06T13:06:29Z","energyImportT1Kwh":3808.353}' \
  || die "after the upgrade, mosquitto_pub failed: $(cat "$work/pub.log")"
wait_until 30 mqtt_rows_are 3 || die "after the upgrade, a new JSON reading over MQTT was not stored (smoke-mqtt rows: $mqtt_rows)"
ok "after the upgrade: same MQTT password, a new JSON reading on sem/smoke-mqtt/readings stored (3 MQTT rows)"

# --- 7. backups that restore: dump, destroy every volume, restore into a fresh pod, compare -------
step "backup: the pod's backup container, mariadb-dump --single-transaction into volume sem-smoke-backups"
# A still database, so the counts compare: the demo simulator stops, the API writes out its rollups.
podman stop "$pod-device-sim" >/dev/null 2>&1 || die "could not stop $pod-device-sim"
journal_empty() { [ "$(ro_sql "SELECT COUNT(*) FROM rollup_journal")" = 0 ]; }
# `podman pod stop` signals MariaDB and the writers at once, so a writer's last flush can meet a stopped
# database (seen: ECONNREFUSED at shutdown): its journal rows stay and are replayed as orphans once older
# than SEM_ROLLUP_ORPHAN_AFTER_MS (60 s), checked every 30 s: up to 90 s after the upgrade's stop.
wait_until 100 journal_empty || die "the rollup journal was not written out (nor replayed as orphans)"
snapshot() { # row counts of the data and rollup tables, and the rollups' checksums
  ro_sql "SELECT 'reading', COUNT(*) FROM reading UNION ALL SELECT 'mbus_reading', COUNT(*) FROM mbus_reading
    UNION ALL SELECT 'device', COUNT(*) FROM device UNION ALL SELECT 'rollup_minute', COUNT(*) FROM rollup_minute
    UNION ALL SELECT 'rollup_quarter', COUNT(*) FROM rollup_quarter UNION ALL SELECT 'rollup_hour', COUNT(*) FROM rollup_hour
    UNION ALL SELECT 'rollup_day', COUNT(*) FROM rollup_day" && ro_sql "CHECKSUM TABLE reading, rollup_minute, rollup_quarter, rollup_hour, rollup_day"
}
# The API's raw-retention job is the one writer left: its first run, a minute after the API started,
# purges the capture rows older than SEM_RAW_RETENTION_DAYS (90), here smoke-mqtt's 2018 readings but
# the oldest and the newest (each device keeps both). Counted before that run and dumped after it, the backup held 2 readings fewer than the
# count (the "24 vs 26" of an earlier run). Wait for it; the next run is an hour away.
retention_ran() { podman logs "$pod-ingest-api" 2>&1 | grep '"msg":"raw retention run"' >"$work/retention.log"; }
wait_until 120 retention_ran || die "the API's raw retention job did not run within 2 minutes of the upgrade"
ok "the API's first raw retention run is over: $(head -n 1 "$work/retention.log" | grep -o '"purged":{[^}]*}')"
snapshot >"$work/before.txt" || die "could not count the tables"
for _ in 1 2 3; do
  podman exec -e SEM_BACKUP_KEEP=2 "$pod-backup" bash /etc/sem/backup/backup.sh --now >>"$work/backup.log" 2>&1 \
    || { cat "$work/backup.log" >&2; die "backup.sh --now failed"; }
  sleep 1
done
# The counts stand for the backups only if nothing wrote between the two snapshots.
snapshot >"$work/before-again.txt" || die "could not count the tables"
diff "$work/before.txt" "$work/before-again.txt" >&2 || die "the database changed while the backups were taken (above)"
backups="$(podman exec "$pod-backup" ls /backups)"
[ "$(wc -l <<<"$backups")" = 2 ] || die "SEM_BACKUP_KEEP=2 kept: $(echo "$backups" | tr '\n' ' ')"
newest="$(sort <<<"$backups" | tail -n 1)"
ok "3 backups taken, the newest 2 kept: $(echo "$backups" | tr '\n' ' ')"
# Off the machine, as docs/deploy.md shows: out of the volume into a host folder.
podman cp "$pod-backup:/backups/$newest" "$work/$newest" || die "podman cp of the backup failed"
gzip -t "$work/$newest" && gzip -dc "$work/$newest" | grep -q 'CREATE TABLE `reading`' || die "$newest is not a dump of the reading table"
ok "copied out: $newest ($(stat -c %s "$work/$newest") bytes); $(paste -sd' ' "$work/before.txt" | cut -c1-200)…"

step "destroy: the pod and every volume"
podman pod stop "$pod" >/dev/null 2>&1 || true
podman kube down "$podyaml" >/dev/null 2>&1 || die "kube down failed"
# shellcheck disable=SC2086 # a list of names
podman volume rm -f $smoke_volumes >/dev/null
[ -z "$(podman volume ls -q --filter name=sem-smoke)" ] || die "volumes left: $(podman volume ls -q --filter name=sem-smoke | tr '\n' ' ')"
ok "pod and volumes gone"

step "restore: deploy/restore.sh into a fresh pod without Grafana, MQTT and the simulator (setup.sh --without grafana --without mqtt)"
smoke_pod_yaml "grafana mqtt" ""
sed -i "s|image: $SEM_API_IMAGE|image: $upgrade_image|" "$podyaml"
! grep -v '^ *#' "$podyaml" | grep -q 'device-sim\|mosquitto\|grafana/grafana' || die "could not leave Grafana, MQTT and the simulator out of $podyaml"
SEM_POD="$pod" SEM_POD_YAML="$podyaml" bash deploy/restore.sh "$work/$newest" 2>&1 | sed 's/^/   /' \
  || die "deploy/restore.sh failed"
restored_at_ms=$(($(date +%s) * 1000))
wait_ready 120
snapshot >"$work/after.txt" || die "could not count the tables after the restore"
diff "$work/before.txt" "$work/after.txt" >&2 || die "counts or rollup checksums differ after the restore (above)"
ok "counts and rollup checksums match: $(grep -c . "$work/after.txt") lines"
# The restored API's own first retention run (a minute after it started) finds nothing more to purge.
restored_retention_ran() {
  podman logs "$pod-ingest-api" 2>&1 | grep '"msg":"raw retention run"' \
    | awk -v t="$restored_at_ms" 'match($0, /"time":[0-9]+/) && substr($0, RSTART + 7, RLENGTH - 7) + 0 >= t' >"$work/retention.log"
  [ -s "$work/retention.log" ]
}
wait_until 120 restored_retention_ran || die "the restored API's raw retention job did not run within 2 minutes"
grep -q '"purged":{"readings":0,"mbus":0}' "$work/retention.log" || die "the restored API purged restored rows: $(cat "$work/retention.log")"
snapshot >"$work/after-retention.txt" || die "could not count the tables"
diff "$work/before.txt" "$work/after-retention.txt" >&2 || die "counts or rollup checksums changed after the restored API's retention run (above)"
ok "the restored API's first retention run purged nothing; counts and checksums still match"
n3="$(curl -fsS --cacert "$work/secrets/mqtt-tls/ca.crt" -H "Authorization: Bearer $key" \
  "$api_tls/api/v1/readings?from=2020-05-12T11:00:00Z&to=2020-05-12T12:00:00Z&resolution=raw" | json readings.length)"
[ "$n3" = 1 ] || die "after the restore the API returns ${n3:-no} readings for smoke-meter"
ok "the restored device key reads its reading back over HTTPS"
ok "the pod plays without Grafana and MQTT: $(podman ps -a --filter pod="$pod" --format '{{.Names}}' | grep -v infra | tr '\n' ' ')"
pod_status_as_documented

# --- 8. the documented teardown, as written in docs/deploy.md (on this run's names) ----------------
step "teardown as docs/deploy.md writes it (\"Remove everything\")"
sed -n '/<!-- teardown:begin/,/<!-- teardown:end/p' docs/deploy.md | grep -v '^<!--\|^```' \
  | sed -e "s|\bsem-|sem-smoke-|g" -e "s|pod stop sem$|pod stop $pod|" -e "s| pod.yaml| $podyaml|" \
        -e "s| deploy/secrets| $work/secrets|" >"$work/teardown.sh"
grep -q "podman kube down $podyaml" "$work/teardown.sh" && [ "$(grep -c . "$work/teardown.sh")" -ge 4 ] \
  || die "no teardown block found in docs/deploy.md: $(cat "$work/teardown.sh")"
sed 's/^/   \$ /' "$work/teardown.sh"
bash -e "$work/teardown.sh" >"$work/teardown.log" 2>&1 || { cat "$work/teardown.log" >&2; die "the documented teardown failed"; }
left="$(podman pod ls -q --filter name="^$pod\$"; podman volume ls -q --filter name=sem-smoke; podman secret ls --format '{{.Name}}' | grep -x "$secret"; ls -d "$work/secrets" 2>/dev/null; true)"
[ -z "$left" ] || die "the documented teardown left: $left"
ok "pod, volumes (one never made), secret and secrets folder gone"

if [ ${#later[@]} -gt 0 ]; then
  die "$(printf '%s; ' "${later[@]}")"
fi
