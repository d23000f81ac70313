#!/usr/bin/env bash
# kyc-webhooks on a large store: `events list` with each filter on a store of N events (default 1,000,000),
# and the receive path while a bulk `replay` of about 100,000 deliveries drains. Writes bench/SCALE.md
# (every round, not only medians); raw output in bench/results/scale-*/.
#
#   bench/store-scale.sh                       # 1,000,000 events, 5 timings per filter, replay under load
#   bench/store-scale.sh --events 100000 --rounds 3 --duration 5   # a quicker, smaller run
#
# The store is filled by bench/harness/populate_store.py (rows as the store keeps them, ~2.4 KB an event),
# after the daemon has created it. Listing is timed from the command's start to its exit (a new process
# opening the store each time), with the store's pages in the page cache. The load is wrk (CPU 1) against
# the daemon (CPU 0) with distinct signed events, once alone and once while `replay --type 'kyc.*'
# --handler crm --since 76d --pace 5000` runs (about 100,000 deliveries of the populated events of a million),
# the `crm` handler a `file` handler (fsync per delivery).
# Loopback only; every server and wrk run is bounded by `timeout`.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
HARNESS="$HERE/harness"
EVENTS=1000000
ROUNDS=5
DURATION=15
while [[ $# -gt 0 ]]; do
  case "$1" in
    --events) EVENTS="$2"; shift 2;;
    --rounds) ROUNDS="$2"; shift 2;;
    --duration) DURATION="$2"; shift 2;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0;;
    *) echo "usage: bench/store-scale.sh [--events N] [--rounds N] [--duration S]" >&2; exit 2;;
  esac
done
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
(cd "$ROOT" && swift build -c release --product kyc-webhooks)
BIN="$(cd "$ROOT" && swift build -c release --show-bin-path)/kyc-webhooks"
WORK="$(mktemp -d /tmp/kyc-scale.XXXXXX)"
OUT="$HERE/results/scale-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$OUT"
DAEMON=""
cleanup() { [[ -z "$DAEMON" ]] || kill -TERM "$DAEMON" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
PIN_SERVER=(); PIN_WRK=()
[[ $(nproc) -ge 2 ]] && { PIN_SERVER=(taskset -c 0); PIN_WRK=(taskset -c 1); }
export BENCH_SECRET=whsec_bench
cat >"$WORK/config.json" <<JSON
{
  "listen": {"host": "127.0.0.1", "port": 18110},
  "logLevel": "warning",
  "store": {"kind": "sqlite", "path": "$WORK/store/kyc.sqlite3", "keyRetentionDays": 400, "payloadRetentionDays": 400},
  "routes": [{"path": "/webhooks/gu1", "sender": "gu1", "secrets": [{"env": "BENCH_SECRET"}]}],
  "handlers": [{"name": "crm", "type": "file", "path": "$WORK/crm.jsonl"}]
}
JSON
start_daemon() {  # waits up to 10 minutes: the first start after the fill reads the whole file (quick_check)
  timeout --kill-after=5 3600 "${PIN_SERVER[@]}" "$BIN" serve --config "$WORK/config.json" >>"$OUT/daemon.log" 2>&1 &
  DAEMON=$!
  for _ in $(seq 1 6000); do
    (exec 3<>/dev/tcp/127.0.0.1/18110) 2>/dev/null && return 0
    kill -0 "$DAEMON" 2>/dev/null || { cat "$OUT/daemon.log" >&2; exit 1; }
    sleep 0.1
  done
  echo "the daemon did not listen" >&2; exit 1
}
stop_daemon() { kill -TERM "$DAEMON"; wait "$DAEMON" || true; DAEMON=""; }
now_ms() { date +%s%3N; }

# 1. The store: created by the daemon, filled by the populator.
start_daemon; stop_daemon
t0=$(now_ms)
FILLED_AT=$t0   # the populated events were received before this moment; the load's events after it
UNTIL="$(date -u -d "@$(( FILLED_AT / 1000 ))" +%Y-%m-%dT%H:%M:%SZ)"
python3 "$HARNESS/populate_store.py" "$WORK/store/kyc.sqlite3" --events "$EVENTS" --now "$FILLED_AT"
fill_ms=$(( $(now_ms) - t0 ))
size_mb=$(( $(stat -c %s "$WORK/store/kyc.sqlite3") / 1048576 ))
read -r SUBJECT ENTITY < <(python3 - "$WORK/store/kyc.sqlite3" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
print(*db.execute("SELECT subject_id, entity_id FROM events WHERE external_id = 'cust-0000042' LIMIT 1").fetchone())
PY
)

# 2. events list, each filter, ROUNDS timings each.
FILTERS=(
  "(none)|"
  "--type kyc.validation_approved|--type kyc.validation_approved"
  "--type 'kyc.*'|--type kyc.*"
  "--type '*approved' (leading wildcard: walks by receipt)|--type *approved"
  "--source argos|--source argos"
  "--outcome rejected|--outcome rejected"
  "--status dead|--status dead"
  "--subject ID|--subject $SUBJECT"
  "--external-id ID|--external-id cust-0000042"
  "--entity-id ID|--entity-id $ENTITY"
  "--since 7d|--since 7d"
  "--until 300d|--until 300d"
  "--type 'kyc.*' --outcome rejected --since 30d|--type kyc.* --outcome rejected --since 30d"
)
{
  echo "# kyc-webhooks on a large store"
  echo
  echo "Run $(date -u +%FT%TZ), commit $(git -C "$ROOT" rev-parse --short HEAD), $(nproc) CPUs. Store: $EVENTS events,"
  echo "$size_mb MiB, filled in $(( fill_ms / 1000 )) s by \`bench/harness/populate_store.py\`."
  echo
  echo "## events list --limit 50, wall time of the whole command (ms), $ROUNDS runs each"
  echo
  echo "| filter | lines | runs (ms) | median |"
  echo "| --- | ---: | --- | ---: |"
} >"$OUT/SCALE.md"
for entry in "${FILTERS[@]}"; do
  label="${entry%%|*}"; read -r -a words <<<"${entry#*|}"
  times=()
  lines=0
  for _ in $(seq 1 "$ROUNDS"); do
    t0=$(now_ms)
    lines=$(set -f; timeout 120 "$BIN" events list --config "$WORK/config.json" --limit 50 --json "${words[@]}" | wc -l)
    times+=($(( $(now_ms) - t0 )))
  done
  median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (ROUNDS + 1) / 2 ))p")
  echo "| \`$label\` | $lines | ${times[*]} | $median |" >>"$OUT/SCALE.md"
done

# 3. The receive path alone, then while a bulk replay drains.
DATA1="$WORK/pool1"; DATA2="$WORK/pool2"
python3 "$HARNESS/gen_requests.py" -n 150000 --seed 11 --out "$DATA1" >/dev/null
python3 "$HARNESS/gen_requests.py" -n 150000 --seed 12 --out "$DATA2" >/dev/null
start_daemon
run_wrk() {  # data-folder log
  BENCH_DATA="$1" timeout --kill-after=5 $(( DURATION + 20 )) "${PIN_WRK[@]}" wrk -t1 -c32 -d"${DURATION}s" \
    --timeout 2s --latency -s "$HARNESS/wrk/unique_posts.lua" http://127.0.0.1:18110/webhooks/gu1 >"$2" 2>&1 || true
  grep '^BENCH_RESULT' "$2" || echo "BENCH_RESULT failed=1"
}
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<" $2"; }
alone=$(run_wrk "$DATA1" "$OUT/wrk-alone.log")
before=$(wc -l <"$WORK/crm.jsonl" 2>/dev/null || echo 0)
REPLAY=(replay --config "$WORK/config.json" --type 'kyc.*' --handler crm --since 76d --until "$UNTIL")
dry=$(timeout 300 "$BIN" "${REPLAY[@]}" --dry-run)
t0=$(now_ms)
timeout 600 "$BIN" "${REPLAY[@]}" --pace 5000 >"$OUT/replay.log" 2>&1 &
REPLAY=$!
during=$(run_wrk "$DATA2" "$OUT/wrk-during.log")
wait "$REPLAY" || true
replay_ms=$(( $(now_ms) - t0 ))
after=$(wc -l <"$WORK/crm.jsonl" 2>/dev/null || echo 0)
stop_daemon
{
  echo
  echo "## The receive path while a bulk replay drains (c=32, ${DURATION} s, distinct signed events)"
  echo
  echo "\`replay --type 'kyc.*' --handler crm --since 76d --until <end of the fill> --pace 5000\` (the populated events only): $dry; the command itself: $(cat "$OUT/replay.log") in $replay_ms ms (its writes overlap the load)."
  echo "Deliveries the \`crm\` file handler wrote during the second loaded run and the replay (new events' and replayed ones): $(( after - before ))."
  echo
  echo "| run | req/s | p50 ms | p99 ms | max ms |"
  echo "| --- | ---: | ---: | ---: | ---: |"
  for pair in "alone|$alone" "during the replay|$during"; do
    r="${pair#*|}"
    echo "| ${pair%%|*} | $(field rps "$r") | $(awk "BEGIN{print $(field p50_us "$r")/1000}") | $(awk "BEGIN{print $(field p99_us "$r")/1000}") | $(awk "BEGIN{print $(field max_us "$r")/1000}") |"
  done
} >>"$OUT/SCALE.md"
cp "$OUT/SCALE.md" "$HERE/SCALE.md"
echo "bench: wrote bench/SCALE.md (raw results in ${OUT#"$ROOT/"})"
