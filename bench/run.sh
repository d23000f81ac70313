#!/usr/bin/env bash
# kyc-webhooks benchmarks: our daemon beside its peers in ONE run of the load harness in bench/harness/,
# interleaved rounds, and the per-request CPU micro-benchmark beside the Hummingbird peer's HMACBench.
# Writes bench/RESULTS.md (every round's req/s as well as the medians); raw data in bench/results/kyc-*/.
# Everything it needs is in this repository (see bench/README.md for the layout and what each peer is).
#
#   bench/run.sh                                  # full run: ~16 min on 2 cores, plus first-time builds
#   bench/run.sh --duration 2 --repeat 1 --pool 5000   # smoke run (<2 min once built; numbers meaningless)
#   bench/run.sh --only hb-verify,ours-sqlite     # a subset of the matrix, in that order
#
# First run: installs wrk, webhook (adnanh) and postgresql from Debian if missing, then builds in place the
# two peer packages under bench/peers/ (release: several minutes each, ~15 min each on a busy 2-core
# machine; their .build/ is gitignored) and our release binaries. Later runs rebuild incrementally (seconds).
#
# Loopback only, every load bounded in time (the harness wraps wrk and servers in `timeout`). hb-postgres
# gets a throwaway PostgreSQL cluster started here (initdb into a temporary folder, run as the `postgres`
# user when we are root, on a free 127.0.0.1 port, synchronous_commit=on), stopped and removed on exit.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
HARNESS="$HERE/harness"
PEERS="$HERE/peers"
DATA="$HERE/data"                 # generated request pool (gitignored)
DURATION=10
POOL=150000
# Three interleaved rounds: single runs on this VM move by 20-30%.
REPEAT=3
# No warm-up: wrk's unique script starts every run at the pool's first event, so after a warm-up the
# measured run would begin by re-sending the warm-up's events, which the stores answer as duplicates.
WARMUP=0
ONLY="adnanh-noexec,hb-verify,hb-noop,hb-grdb,hb-postgres,ours-listener,ours-sqlite,ours-sqlite-nogroup,ours-postgres,ours-memory"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --duration) DURATION="$2"; shift 2;;
    --pool) POOL="$2"; shift 2;;
    --repeat) REPEAT="$2"; shift 2;;
    --warmup) WARMUP="$2"; shift 2;;
    --only) ONLY="$2"; shift 2;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0;;
    *) echo "usage: bench/run.sh [--duration S] [--pool N] [--repeat N] [--warmup S] [--only A,B,...]" >&2; exit 2;;
  esac
done
wants() { [[ ",$ONLY," == *",$1,"* ]]; }
wants_prefix() { [[ ",$ONLY" == *",$1"* ]]; }

# 0. Tools from Debian, when missing.
missing=()
command -v wrk >/dev/null || missing+=(wrk)
if wants_prefix adnanh- && ! command -v webhook >/dev/null; then missing+=(webhook); fi
if { wants hb-postgres || wants ours-postgres; } && ! compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
  missing+=(postgresql)
fi
if [[ ${#missing[@]} -gt 0 ]]; then
  echo "bench: installing ${missing[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# 1. The peers, built in place (release; a few minutes each the first time, incremental afterwards).
#    The Hummingbird peer is always built: its HMACBench is the micro-benchmark's reference.
(cd "$PEERS/hummingbird-peer" && swift build -c release)
if wants hb-grdb || wants hb-postgres; then (cd "$PEERS/durable-peers" && swift build -c release); fi
# 2. Our binaries, release.
(cd "$ROOT" && swift build -c release --product kyc-webhooks && swift build -c release --product kyc-webhooks-bench)
BIN="$(cd "$ROOT" && swift build -c release --show-bin-path)"
# 3. Request data: a large pool of unique signed events so the idempotency stores see new keys.
if [[ ! -s "$DATA/unique.tsv" ]] || (( $(wc -l <"$DATA/unique.tsv") < POOL )); then
  python3 "$HARNESS/gen_requests.py" -n "$POOL" --out "$DATA"
fi

# 4. A temporary folder for the stores (and PostgreSQL's), removed on exit.
WORK="$(mktemp -d /tmp/kyc-bench.XXXXXX)"
PGDIR=""; PGBIN=""; AS_PG=()
cleanup() {
  if [[ -n "$PGDIR" && -f "$PGDIR/data/postmaster.pid" ]]; then
    (cd "$PGDIR" && "${AS_PG[@]}" "$PGBIN/pg_ctl" -D "$PGDIR/data" -m fast -w -t 30 stop >/dev/null 2>&1) || true
  fi
  [[ -z "$PGDIR" ]] || rm -rf "$PGDIR"
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# 5. hb-postgres and ours-postgres: a throwaway PostgreSQL cluster on a free loopback port, durable commits
#    (the default), shared by both (each has its own tables, emptied before each of its rounds).
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
if wants hb-postgres || wants ours-postgres; then
  PGBIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
  # Its own folder: mktemp's folders are private to their owner, and the cluster belongs to `postgres`.
  PGDIR="$(mktemp -d /tmp/kyc-bench-pg.XXXXXX)"
  if [[ $(id -u) -eq 0 ]]; then chown postgres: "$PGDIR"; AS_PG=(runuser -u postgres --); fi
  # The database server is the peer's server side: pinned to CPU 0 with the peers (wrk has CPU 1).
  PG_PIN=(); [[ $(nproc) -ge 2 ]] && PG_PIN=(taskset -c 0)
  PGPORT="$(free_port)"
  (cd "$PGDIR" && "${AS_PG[@]}" "$PGBIN/initdb" -D "$PGDIR/data" -U bench --auth=trust -E UTF8 --locale=C \
      >"$PGDIR/initdb.log" 2>&1) || { cat "$PGDIR/initdb.log" >&2; exit 1; }
  (cd "$PGDIR" && "${PG_PIN[@]}" "${AS_PG[@]}" "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -c port=$PGPORT -c unix_socket_directories=$PGDIR -c synchronous_commit=on -c fsync=on -c max_connections=40" \
      start >/dev/null) || { cat "$PGDIR/server.log" >&2; exit 1; }
  export PATH="$PGBIN:$PATH" PGHOST=127.0.0.1 PGPORT PGUSER=bench PGPASSWORD=bench PGDATABASE=bench
  timeout 30 createdb bench
  echo "bench: PostgreSQL $(timeout 10 psql -tAc 'SHOW server_version') on 127.0.0.1:$PGPORT (synchronous_commit=$(timeout 10 psql -tAc 'SHOW synchronous_commit'))"
fi
export HB_GRDB_DIR="$WORK/hb-grdb"   # run-grdb.sh starts each round on an empty file there

# 6. Configurations of our daemon (no handlers: the receive path alone; logs at warning).
config() {  # name port store-json
  cat >"$WORK/$1.json" <<JSON
{
  "listen": {"host": "127.0.0.1", "port": $2},
  "logLevel": "warning",
  "store": $3,
  "routes": [{"path": "/webhooks/gu1", "sender": "gu1", "secrets": [{"env": "BENCH_SECRET"}]}],
  "handlers": []
}
JSON
}
config sqlite 18102 "{\"kind\": \"sqlite\", \"path\": \"$WORK/sqlite/kyc.sqlite3\"}"
config sqlite-nogroup 18103 "{\"kind\": \"sqlite\", \"path\": \"$WORK/nogroup/kyc.sqlite3\", \"groupCommit\": false}"
config memory 18104 "{\"kind\": \"memory\"}"
config postgres 18105 "{\"kind\": \"postgres\", \"url\": {\"env\": \"BENCH_DATABASE_URL\"}, \"schema\": \"kyc_bench\"}"
export BENCH_DATABASE_URL="postgresql://bench@127.0.0.1:${PGPORT:-5432}/bench"
export BENCH_SECRET=whsec_bench

# 7. One run of the harness: every target started fresh in each round, rounds interleaved.
OUT="$HERE/results/kyc-$(date -u +%Y%m%dT%H%M%SZ)"
BENCH_DATA="$DATA" "$HARNESS/run-peers.sh" --duration "$DURATION" --repeat "$REPEAT" --warmup "$WARMUP" \
  --script unique --conns 32,1 --out "$OUT" \
  --target ours-listener=http://127.0.0.1:18101/webhooks/gu1 --start "ours-listener=$BIN/kyc-webhooks-bench --serve-noop 18101" \
  --target ours-sqlite=http://127.0.0.1:18102/webhooks/gu1 --start "ours-sqlite=$HERE/fresh-store.sh $WORK/sqlite $BIN/kyc-webhooks serve --config $WORK/sqlite.json" \
  --target ours-sqlite-nogroup=http://127.0.0.1:18103/webhooks/gu1 --start "ours-sqlite-nogroup=$HERE/fresh-store.sh $WORK/nogroup $BIN/kyc-webhooks serve --config $WORK/sqlite-nogroup.json" \
  --target ours-memory=http://127.0.0.1:18104/webhooks/gu1 --start "ours-memory=$BIN/kyc-webhooks serve --config $WORK/memory.json" \
  --target ours-postgres=http://127.0.0.1:18105/webhooks/gu1 --start "ours-postgres=$HERE/fresh-schema.sh kyc_bench $BIN/kyc-webhooks serve --config $WORK/postgres.json" \
  --only "$ONLY"

# 8. The micro-benchmark, both in the same run, pinned to the same CPU.
PIN=(); [[ $(nproc) -ge 2 ]] && PIN=(taskset -c 0)
"${PIN[@]}" "$PEERS/hummingbird-peer/.build/release/HMACBench" "$DATA/body.json" 200000 | tee "$OUT/hmacbench.txt"
"${PIN[@]}" "$BIN/kyc-webhooks-bench" "$DATA/body.json" "$DATA/body.sig" whsec_bench 200000 | tee "$OUT/micro.txt"

python3 "$HERE/report.py" "$OUT" >"$HERE/RESULTS.md"
echo "bench: wrote bench/RESULTS.md (raw results in ${OUT#"$ROOT/"})"
