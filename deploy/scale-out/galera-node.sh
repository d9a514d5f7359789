#!/usr/bin/env bash
# One MariaDB Galera node on loopback: galera-node.sh start|kill|stop|status N [--bootstrap]
# Node N (1..3) lives in $SEM_SCALE_DIR/n$N and uses SQL 1400N, gcomm 1401N, IST 1402N, SST 1403N
# (docs/scale-out.md). Runs as root with --user=mysql (rsync SST drops to the daemon's user).
set -euo pipefail
cmd="$1"; n="$2"; shift 2
base="${SEM_SCALE_DIR:-/tmp/sem-scale}"
d="$base/n$n"
opts=(--no-defaults --user=mysql --datadir="$d/data" --port="1400$n" --bind-address=127.0.0.1
  --socket="$d/mysqld.sock" --pid-file="$d/mysqld.pid" --skip-name-resolve --innodb-buffer-pool-size=128M
  --character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci --max-connections=300
  --binlog-format=ROW --innodb-autoinc-lock-mode=2 --default-storage-engine=InnoDB
  --wsrep-on=ON --wsrep-provider=/usr/lib/galera/libgalera_smm.so --wsrep-cluster-name=semscale
  --wsrep-node-name="n$n" --wsrep-node-address=127.0.0.1 --wsrep-node-incoming-address="127.0.0.1:1400$n"
  --wsrep-cluster-address=gcomm://127.0.0.1:14011,127.0.0.1:14012,127.0.0.1:14013
  "--wsrep-provider-options=gmcast.listen_addr=tcp://127.0.0.1:1401$n;ist.recv_addr=127.0.0.1:1402$n;gcache.size=128M;evs.keepalive_period=PT0.5S;evs.suspect_timeout=PT2S;evs.inactive_timeout=PT4S"
  --wsrep-sst-method=rsync --wsrep-sst-receive-address="127.0.0.1:1403$n")

pid() { cat "$d/mysqld.pid" 2>/dev/null || true; }
sql() { mariadb --no-defaults -uroot --socket="$d/mysqld.sock" -N -e "$1" 2>/dev/null; }

case "$cmd" in
  start)
    mkdir -p "$d"
    if [ ! -d "$d/data/mysql" ]; then
      mariadb-install-db --no-defaults --user=mysql --datadir="$d/data" --auth-root-authentication-method=socket \
        --skip-test-db > "$d/install.log" 2>&1
    fi
    chown -R mysql:mysql "$d"
    pos=
    # After a crash grastate.dat says seqno -1: recover the position so the node rejoins by IST, not SST.
    if grep -q '^seqno: *-1' "$d/data/grastate.dat" 2>/dev/null; then
      mariadbd "${opts[@]}" --wsrep-recover --log-error="$d/recover.log"
      pos=$(grep -o 'Recovered position: .*' "$d/recover.log" | tail -1 | awk '{print $3}')
    fi
    extra=()
    [ "${1:-}" = --bootstrap ] && extra+=(--wsrep-new-cluster)
    [ -n "$pos" ] && extra+=("--wsrep-start-position=$pos")
    setsid mariadbd "${opts[@]}" --log-error="$d/err.log" "${extra[@]}" </dev/null >/dev/null 2>&1 &
    # Ready = answers and wsrep_ready ON (bounded: SST of a large datadir may take longer; raise SEM_SCALE_START_S).
    for _ in $(seq 1 $(( ${SEM_SCALE_START_S:-90} * 4 ))); do
      [ "$(sql "SHOW STATUS LIKE 'wsrep_ready'" | awk '{print $2}')" = ON ] && { echo "n$n ready${pos:+ (from $pos)}"; exit 0; }
      sleep 0.25
    done
    echo "n$n did not become ready; see $d/err.log" >&2; exit 1 ;;
  kill) p=$(pid); [ -n "$p" ] && kill -KILL "$p" 2>/dev/null; echo "n$n SIGKILL ${p:-none}" ;;
  stop)
    p=$(pid); [ -n "$p" ] || exit 0
    kill -TERM "$p" 2>/dev/null || exit 0
    for _ in $(seq 1 120); do kill -0 "$p" 2>/dev/null || exit 0; sleep 0.25; done
    kill -KILL "$p" 2>/dev/null || true ;;
  status) sql "SHOW STATUS WHERE Variable_name IN ('wsrep_local_state_comment','wsrep_cluster_size','wsrep_last_committed')" ;;
  *) echo "usage: $0 start|kill|stop|status N [--bootstrap]" >&2; exit 2 ;;
esac
