# Functions for the loopback scale-out stack (sourced). Every process started here records its pid in
# $SEM_SCALE_DIR/pids and scale_stop_all stops exactly those. Everything binds 127.0.0.1.
SCALE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SCALE_HERE="$SCALE_ROOT/deploy/scale-out"
export SEM_SCALE_DIR="${SEM_SCALE_DIR:-/tmp/sem-scale}"
SCALE_PIDS="$SEM_SCALE_DIR/pids"
# npm run sets NODE to the node that runs npm (the system one): use our own name.
SCALE_NODE="${SEM_SCALE_NODE:-$SCALE_ROOT/node_modules/.bin/node}"

scale_log() { printf '%s %s\n' "$(date -u +%H:%M:%S.%3N)" "$*"; }

# scale_bg NAME CMD...: start in the background, own process group, log to $SEM_SCALE_DIR/NAME.log
scale_bg() {
  local name="$1"; shift
  mkdir -p "$SCALE_PIDS"
  setsid "$@" </dev/null >>"$SEM_SCALE_DIR/$name.log" 2>&1 &
  echo $! >"$SCALE_PIDS/$name.pid"
}

scale_stop() { # NAME [SIGNAL]: the process group started by scale_bg
  local f="$SCALE_PIDS/$1.pid" p
  [ -f "$f" ] || return 0
  p=$(cat "$f")
  kill "-${2:-TERM}" -- "-$p" 2>/dev/null || true
  for _ in $(seq 1 60); do kill -0 "$p" 2>/dev/null || break; sleep 0.25; done
  kill -KILL -- "-$p" 2>/dev/null || true
  rm -f "$f"
}

scale_stop_all() {
  local f
  for f in "$SCALE_PIDS"/*.pid; do [ -e "$f" ] && scale_stop "$(basename "$f" .pid)"; done
  for n in 1 2 3; do [ -d "$SEM_SCALE_DIR/n$n" ] && bash "$SCALE_HERE/galera-node.sh" stop "$n"; done
  [ -d "$SEM_SCALE_DIR/single" ] && scale_plain_stop single
  scale_spider_stop
  return 0
}

scale_node_sql() { mariadb --no-defaults -uroot --socket="$SEM_SCALE_DIR/n$1/mysqld.sock" -N -e "$2"; }

scale_wait() { # SECONDS DESCRIPTION CMD...: poll CMD every 0.25 s
  local s="$1" what="$2"; shift 2
  for _ in $(seq 1 $((s * 4))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.25; done
  echo "timed out after ${s}s waiting for $what" >&2; return 1
}

scale_cluster_size_is() { [ "$(scale_node_sql "$1" "SHOW STATUS LIKE 'wsrep_cluster_size'" | awk '{print $2}')" = "$2" ]; }
scale_synced() { [ "$(scale_node_sql "$1" "SHOW STATUS LIKE 'wsrep_local_state'" | awk '{print $2}')" = 4 ]; }

scale_secrets() {
  mkdir -p "$SEM_SCALE_DIR/secrets"; chmod 700 "$SEM_SCALE_DIR/secrets"
  local s
  for s in owner api readonly admin-token; do
    [ -s "$SEM_SCALE_DIR/secrets/$s" ] || head -c 24 /dev/urandom | base64 | tr -d '/+=' >"$SEM_SCALE_DIR/secrets/$s"
  done
}

# scale_bootstrap SOCKET PORT: users, schema, grants (db:bootstrap) as root over the socket; health-check user.
scale_bootstrap() {
  local sec="$SEM_SCALE_DIR/secrets"
  mariadb --no-defaults -uroot --socket="$1" -e "CREATE USER IF NOT EXISTS 'haproxy_check'@'127.0.0.1'"
  (cd "$SCALE_ROOT" && SEM_DB_SOCKET="$1" SEM_DB_PORT="$2" SEM_DB_ADMIN_USER=root \
    SEM_DB_OWNER_PASSWORD_FILE="$sec/owner" SEM_DB_API_PASSWORD_FILE="$sec/api" SEM_DB_READONLY_PASSWORD_FILE="$sec/readonly" \
    "$SCALE_NODE" db/src/cli/bootstrap.cli.ts)
}

scale_galera_up() {
  mkdir -p "$SEM_SCALE_DIR"
  bash "$SCALE_HERE/galera-node.sh" start 1 --bootstrap
  bash "$SCALE_HERE/galera-node.sh" start 2
  bash "$SCALE_HERE/galera-node.sh" start 3
  scale_wait 60 "3 synced nodes" scale_cluster_size_is 1 3
  for n in 1 2 3; do scale_wait 60 "n$n synced" scale_synced "$n"; done
  for n in 1 2 3; do
    scale_bg "check$n" socat "TCP-LISTEN:1407$n,bind=127.0.0.1,reuseaddr,fork" EXEC:"$SCALE_HERE/clustercheck.sh 1400$n"
  done
}

# scale_haproxy_up API_PORT...: writer/reader listeners for Galera, HTTP listener for the API replicas.
scale_haproxy_up() {
  local servers="" i=1 p
  for p in "$@"; do servers+="    server api$i 127.0.0.1:$p check"$'\n'; i=$((i + 1)); done
  sed -e "s#@DIR@#$SEM_SCALE_DIR#" "$SCALE_HERE/haproxy.cfg.tmpl" | awk -v s="$servers" '{ if ($0 == "@API_SERVERS@") printf "%s", s; else print }' >"$SEM_SCALE_DIR/haproxy.cfg"
  haproxy -c -q -f "$SEM_SCALE_DIR/haproxy.cfg"
  scale_bg haproxy haproxy -db -f "$SEM_SCALE_DIR/haproxy.cfg"
}

# scale_api_up NAME PORT DB_PORT: one ingest-api replica (entry point services/ingest-api/src/server.ts).
scale_api_up() {
  local sec="$SEM_SCALE_DIR/secrets"
  scale_bg "$1" env -C "$SCALE_ROOT" SEM_HTTP_HOST=127.0.0.1 SEM_HTTP_PORT="$2" SEM_DB_HOST=127.0.0.1 SEM_DB_PORT="$3" \
    SEM_DB_NAME=sem SEM_DB_USER=sem_api SEM_DB_PASSWORD_FILE="$sec/api" SEM_ADMIN_TOKEN_FILE="$sec/admin-token" \
    SEM_DB_CONNECT_TIMEOUT_MS=2000 SEM_RATE_LIMIT_PER_MINUTE=1000000 SEM_LOG_LEVEL="${SEM_SCALE_LOG_LEVEL:-warn}" \
    "$SCALE_NODE" services/ingest-api/src/server.ts
  scale_wait 60 "$1 ready" curl -fsS "http://127.0.0.1:$2/readyz"
}

# scale_mqtt_up DB_PORT: a broker of our own on 14083 (anonymous, loopback) and the MQTT ingest.
scale_mqtt_up() {
  printf 'listener 14083 127.0.0.1\nallow_anonymous true\npersistence false\n' >"$SEM_SCALE_DIR/mosquitto.conf"
  scale_bg mosquitto mosquitto -c "$SEM_SCALE_DIR/mosquitto.conf"
  scale_mqtt_ingest_up mqtt-ingest "$1" sem-scale-ingest
}
# scale_mqtt_ingest_up NAME DB_PORT CLIENT_ID: services/mqtt-ingest/src/server.ts on that broker and database.
scale_mqtt_ingest_up() {
  scale_bg "$1" env -C "$SCALE_ROOT" SEM_MQTT_URL=mqtt://127.0.0.1:14083 SEM_MQTT_PASSWORD=unused \
    SEM_MQTT_CLIENT_ID="$3" SEM_DB_HOST=127.0.0.1 SEM_DB_PORT="$2" SEM_DB_NAME=sem SEM_DB_USER=sem_api \
    SEM_DB_PASSWORD_FILE="$SEM_SCALE_DIR/secrets/api" SEM_DB_CONNECT_TIMEOUT_MS=2000 SEM_MQTT_REGISTRY_POLL_MS=1000 \
    SEM_LOG_LEVEL="${SEM_SCALE_LOG_LEVEL:-warn}" "$SCALE_NODE" services/mqtt-ingest/src/server.ts
}

# scale_wait_rows PORT COUNT: until `reading` on that server holds COUNT rows (MQTT readings land after PUBACK).
scale_rows_are() { [ "$(mariadb --no-defaults -h127.0.0.1 -P"$1" -usem_owner -p"$(cat "$SEM_SCALE_DIR/secrets/owner")" -N sem -e 'SELECT COUNT(*) FROM reading')" = "$2" ]; }
scale_wait_rows() { scale_wait 180 "$2 rows on $1" scale_rows_are "$1" "$2"; }

# scale_plain_up NAME PORT [mariadbd options...]: a plain MariaDB of our own in $SEM_SCALE_DIR/NAME.
scale_plain_up() {
  local name="$1" port="$2" d="$SEM_SCALE_DIR/$1"; shift 2
  mkdir -p "$d"
  [ -d "$d/data/mysql" ] || mariadb-install-db --no-defaults --user=mysql --datadir="$d/data" \
    --auth-root-authentication-method=socket --skip-test-db >"$d/install.log" 2>&1
  chown -R mysql:mysql "$d"
  setsid mariadbd --no-defaults --user=mysql --datadir="$d/data" --port="$port" --bind-address=127.0.0.1 \
    --socket="$d/mysqld.sock" --pid-file="$d/mysqld.pid" --skip-name-resolve --innodb-buffer-pool-size=128M \
    --character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci --max-connections=300 \
    --log-error="$d/err.log" "$@" </dev/null >/dev/null 2>&1 &
  scale_wait 60 "$name" mariadb --no-defaults -uroot --socket="$d/mysqld.sock" -e 'SELECT 1'
}
scale_plain_stop() {
  local p; p=$(cat "$SEM_SCALE_DIR/$1/mysqld.pid" 2>/dev/null) || return 0
  kill -TERM "$p" 2>/dev/null || return 0
  for _ in $(seq 1 120); do kill -0 "$p" 2>/dev/null || return 0; sleep 0.25; done
  kill -KILL "$p" 2>/dev/null || true
}

# scale_spider_up SHARDS: head on 14060 (Spider loaded by option, not by the system's spider.cnf), shards 14061…
scale_spider_up() {
  local k
  # SEM_SCALE_SPIDER_OPTS: more head options, e.g. --spider-direct-dup-insert=1 (one multi-row ODKU per shard).
  # shellcheck disable=SC2086
  scale_plain_up head 14060 --plugin-load-add=ha_spider.so ${SEM_SCALE_SPIDER_OPTS:-}
  for k in $(seq 1 "$1"); do scale_plain_up "s$k" "1406$k"; done
}
scale_spider_stop() {
  local k
  for k in head s1 s2 s3 s4; do [ -d "$SEM_SCALE_DIR/$k" ] && scale_plain_stop "$k"; done
  return 0
}

# The single-server reference (never the system server): 14009.
scale_single_up() { scale_plain_up single 14009; }

# scale_begin DEFAULT_MAX_S: root check, a fresh $SEM_SCALE_DIR (wiped only under /tmp), a time limit
# (SEM_SCALE_MAX_S) and the exit trap that stops everything started here.
scale_begin() {
  [ "$(id -u)" = 0 ] || { echo "run as root: the servers start as --user=mysql" >&2; exit 2; }
  case "$SEM_SCALE_DIR" in
    /tmp/*) rm -rf "$SEM_SCALE_DIR" ;;
    *) [ ! -e "$SEM_SCALE_DIR" ] || { echo "$SEM_SCALE_DIR exists" >&2; exit 2; } ;;
  esac
  mkdir -p "$SEM_SCALE_DIR/results"
  # `&&`: when the exit trap kills the sleep first, the watchdog must not go on to signal the script mid-cleanup.
  ( sleep "${SEM_SCALE_MAX_S:-$1}" && { echo "time limit reached" >&2; kill -TERM $$; } ) & SCALE_WATCHDOG=$!
  # The cleanup itself ignores INT/TERM, so a second signal cannot leave nodes running.
  trap 'trap "" INT TERM; pkill -P "$SCALE_WATCHDOG" 2>/dev/null; kill "$SCALE_WATCHDOG" 2>/dev/null; scale_log "stopping everything"; scale_stop_all' EXIT
  trap 'exit 130' INT TERM
}
