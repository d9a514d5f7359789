#!/usr/bin/env bash
# Ingest throughput against the number of Spider shards (npm run scale-out:spider-bench [-- "0 2 4"]).
# For each count: a head on 14060 (0 = a plain server, no Spider) and that many shards, the bench phases
# c (single readings) and d (300-reading batches) through one API on the head, with the CPU seconds of head
# and shards over that run; then 300-row ODKU transactions from one client through the head and on shard 1
# directly (shard-insert.bench.ts: rows/s, CPU µs per row of each server, statements each shard receives).
# Env: SEM_SCALE_BENCH_SECONDS (10), SEM_SCALE_BENCH_DEVICES (200), SEM_SCALE_INSERT_ROWS (30000),
# SEM_SCALE_SPIDER_OPTS (head options, e.g. --spider-direct-dup-insert=1). Stops everything it started.
set -euo pipefail
export SEM_SCALE_DIR="${SEM_SCALE_DIR:-/tmp/sem-scale-bench}"
. "$(dirname "$0")/scale-out.lib.sh"
scale_begin 2400
COUNTS="${1:-0 2 4}"
SECS="${SEM_SCALE_BENCH_SECONDS:-10}"
OUT="$SCALE_ROOT/.tmp/scale-out-bench/$(date -u +%Y%m%dT%H%M%S)"
mkdir -p "$OUT"

cpu_s() { awk '{printf "%.2f", ($14 + $15) / 100}' "/proc/$(cat "$SEM_SCALE_DIR/$1/mysqld.pid")/stat"; }
bench() { # OUTDIR SOCKET_DIR PORT PHASES [PREPARE]
  (cd "$SCALE_ROOT" && "$SCALE_NODE" bench/ingest/ingest.bench.ts --only "$4" --seconds "$SECS" --warmup 2 \
    --devices "${SEM_SCALE_BENCH_DEVICES:-200}" --socket "$SEM_SCALE_DIR/$2/mysqld.sock" --db-port "$3" \
    --db-pid-file "$SEM_SCALE_DIR/$2/mysqld.pid" --port 18180 --out "$1" ${5:+--prepare "$5"}) >"$1.log" 2>&1 \
    || { echo "bench failed, see $1.log" >&2; tail -5 "$1.log" >&2; }
  grep -E '^\| (a|c|d) ' "$1/results.md" 2>/dev/null || true
}

for n in $COUNTS; do
  scale_log "== $n shard(s); load $(cut -d' ' -f1-3 /proc/loadavg)"
  scale_spider_stop; rm -rf "$SEM_SCALE_DIR"/{head,s1,s2,s3,s4}
  if [ "$n" = 0 ]; then scale_plain_up head 14060; else scale_spider_up "$n"; fi
  prep=
  if [ "$n" != 0 ]; then
    socks=$(for k in $(seq 1 "$n"); do printf '%s,' "$SEM_SCALE_DIR/s$k/mysqld.sock"; done)
    ports=$(for k in $(seq 1 "$n"); do printf '1406%s,' "$k"; done)
    prep="$SCALE_NODE $SCALE_ROOT/bench/scale-out/spider-shard.setup.ts --head-socket $SEM_SCALE_DIR/head/mysqld.sock --db sem_bench_ingest --shards $ports --shard-sockets $socks --password spider-bench-only"
  fi
  declare -A before=()
  for s in head s1 s2 s3 s4; do [ -f "$SEM_SCALE_DIR/$s/mysqld.pid" ] && before[$s]=$(cpu_s "$s"); done
  t=$(date +%s.%N)
  bench "$OUT/shards-$n-cd" head 14060 c,d "$prep"
  wall=$(echo "$(date +%s.%N) - $t" | bc)
  # CPU per stored row is the figure that survives a shared machine; throughput moves with the others' load.
  rows=0
  for s in head s1 s2 s3 s4; do
    [ -n "${before[$s]:-}" ] || continue
    [ "$s" = head ] && [ "$n" != 0 ] && continue
    rows=$((rows + $(mariadb --no-defaults -uroot --socket="$SEM_SCALE_DIR/$s/mysqld.sock" -N -e 'SELECT COUNT(*) FROM sem_bench_ingest.reading')))
  done
  line="$n shard(s), c+d run: ${wall%.*} s wall, $rows rows stored, load $(cut -d' ' -f1-3 /proc/loadavg); CPU s (µs/row):"
  for s in head s1 s2 s3 s4; do
    [ -n "${before[$s]:-}" ] || continue
    c=$(echo "$(cpu_s "$s") - ${before[$s]}" | bc)
    line+=" $s $c ($(echo "scale=1; $c * 1000000 / ($rows + 1)" | bc))"
  done
  scale_log "$line" | tee -a "$OUT/cpu.txt"
  unset before
  # Where the work goes: the same 300-row ODKU transactions through the head, and on shard 1 alone.
  pids=(--pid "head=$SEM_SCALE_DIR/head/mysqld.pid"); ctr=()
  for k in $(seq 1 "$n"); do pids+=(--pid "s$k=$SEM_SCALE_DIR/s$k/mysqld.pid"); ctr+=(--counters "s$k=$SEM_SCALE_DIR/s$k/mysqld.sock"); done
  "$SCALE_NODE" "$SCALE_ROOT/bench/scale-out/shard-insert.bench.ts" --label "$n shard(s), through the head" \
    --socket "$SEM_SCALE_DIR/head/mysqld.sock" --db sem_bench_ingest --rows "${SEM_SCALE_INSERT_ROWS:-30000}" "${pids[@]}" "${ctr[@]}" | tee -a "$OUT/insert.jsonl"
  [ "$n" != 0 ] && "$SCALE_NODE" "$SCALE_ROOT/bench/scale-out/shard-insert.bench.ts" --label "$n shard(s), shard 1 directly" \
    --socket "$SEM_SCALE_DIR/s1/mysqld.sock" --db sem_bench_ingest --rows "${SEM_SCALE_INSERT_ROWS:-30000}" --first-device 1001 \
    --pid "s1=$SEM_SCALE_DIR/s1/mysqld.pid" | tee -a "$OUT/insert.jsonl"
  scale_log "load $(cut -d' ' -f1-3 /proc/loadavg)"
done
scale_log "results in $OUT"
