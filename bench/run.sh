#!/usr/bin/env bash
# kyc-webhooks benchmarks, beside the peers in ONE run of the shared harness (../../shared/bench), and the
# per-request CPU micro-benchmark beside the Hummingbird peer's HMACBench. Writes bench/RESULTS.md.
#
#   bench/run.sh                 # full run (~12 min on 2 cores, plus first-time builds)
#   bench/run.sh --duration 5    # shorter points
#
# Loopback only, every load bounded in time (the harness wraps wrk and servers in `timeout`).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
SHARED="${SHARED_BENCH:-$ROOT/../shared/bench}"
HARNESS="$HERE/.harness"          # a writable copy: the peer builds inside it (gitignored)
DURATION=10
POOL=150000
# Three interleaved rounds, medians reported: single runs on this VM move by 20-30%.
REPEAT=3
# No warm-up: wrk's unique script starts every run at the pool's first event, so after a warm-up the
# measured run would begin by re-sending the warm-up's events, which the store answers as duplicates.
WARMUP=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --duration) DURATION="$2"; shift 2;;
    --pool) POOL="$2"; shift 2;;
    --repeat) REPEAT="$2"; shift 2;;
    --warmup) WARMUP="$2"; shift 2;;
    *) echo "usage: bench/run.sh [--duration S] [--pool N] [--repeat N] [--warmup S]" >&2; exit 2;;
  esac
done

command -v wrk >/dev/null && command -v webhook >/dev/null || {
  apt-get update -qq && apt-get install -y -qq wrk webhook >/dev/null; }

# 1. The harness and the Hummingbird peer (release build, a few minutes the first time).
if [[ ! -x "$HARNESS/run-peers.sh" ]]; then
  rm -rf "$HARNESS"; cp -r "$SHARED" "$HARNESS"; chmod -R u+w "$HARNESS"
fi
if [[ ! -x "$HARNESS/peers/hummingbird-peer/.build/release/HBPeer" ]]; then
  (cd "$HARNESS/peers/hummingbird-peer" && swift build -c release)
fi
# 2. Our binaries, release.
(cd "$ROOT" && swift build -c release --product kyc-webhooks && swift build -c release --product kyc-webhooks-bench)
BIN="$(cd "$ROOT" && swift build -c release --show-bin-path)"
# 3. Request data: a large pool of unique signed events so the idempotency store sees new keys.
if [[ ! -s "$HARNESS/data/unique.tsv" ]] || (( $(wc -l <"$HARNESS/data/unique.tsv") < POOL )); then
  (cd "$HARNESS" && python3 gen_requests.py -n "$POOL")
fi

# 4. Configurations of our daemon (no handlers: the receive path alone; logs at warning).
WORK="$(mktemp -d /tmp/kyc-bench.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
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
export BENCH_SECRET=whsec_bench

OUT="$HARNESS/results/kyc-$(date -u +%Y%m%dT%H%M%SZ)"
cd "$HARNESS"
./run-peers.sh --duration "$DURATION" --repeat "$REPEAT" --warmup "$WARMUP" --script unique --conns 32,1 --out "$OUT" \
  --target ours-listener=http://127.0.0.1:18101/webhooks/gu1 --start "ours-listener=$BIN/kyc-webhooks-bench --serve-noop 18101" \
  --target ours-sqlite=http://127.0.0.1:18102/webhooks/gu1 --start "ours-sqlite=$HERE/fresh-store.sh $WORK/sqlite $BIN/kyc-webhooks serve --config $WORK/sqlite.json" \
  --target ours-sqlite-nogroup=http://127.0.0.1:18103/webhooks/gu1 --start "ours-sqlite-nogroup=$HERE/fresh-store.sh $WORK/nogroup $BIN/kyc-webhooks serve --config $WORK/sqlite-nogroup.json" \
  --target ours-memory=http://127.0.0.1:18104/webhooks/gu1 --start "ours-memory=$BIN/kyc-webhooks serve --config $WORK/memory.json" \
  --only adnanh-noexec,hb-verify,hb-noop,ours-listener,ours-sqlite,ours-sqlite-nogroup,ours-memory

# 5. The micro-benchmark, both in the same run, pinned to the same CPU.
PIN=(); [[ $(nproc) -ge 2 ]] && PIN=(taskset -c 0)
"${PIN[@]}" "$HARNESS/peers/hummingbird-peer/.build/release/HMACBench" data/body.json 200000 | tee "$OUT/hmacbench.txt"
"${PIN[@]}" "$BIN/kyc-webhooks-bench" data/body.json data/body.sig whsec_bench 200000 | tee "$OUT/micro.txt"

python3 "$HERE/report.py" "$OUT" >"$HERE/RESULTS.md"
echo "bench: wrote bench/RESULTS.md (raw results in $OUT)"
