#!/usr/bin/env bash
# Load harness for webhook receivers: starts each peer on its own 127.0.0.1 port, warms up,
# runs wrk at each concurrency level, records req/s + p50/p99 (+ server CPU per request),
# stops the peer by PID and prints a Markdown table.  Everything is loopback-only and time-bounded.
# bench/run.sh drives it for kyc-webhooks; it can also be run by hand, from any directory:
#
#   bench/harness/run-peers.sh                      # the non-durable built-in peers, signed script, c=32 and c=1
#   bench/harness/run-peers.sh --target mine=http://127.0.0.1:8080/webhooks/gu1   # add an already-running target
#   bench/harness/run-peers.sh --target mine=http://127.0.0.1:8080/webhooks/gu1 \
#                  --start  mine='path/to/daemon --port 8080'             # harness starts/stops it too
#   bench/harness/run-peers.sh --only hb-verify,mine --script unique --repeat 2
#
# Layout (all inside bench/): harness/ (this script, gen_requests.py, summarize.py, wrk/*.lua),
# peers/ (the peers: hummingbird-peer and durable-peers are SwiftPM packages, adnanh is a hooks file),
# data/ (generated requests, gitignored), results/ (one folder per run, gitignored). Commands given
# with --start and the built-in peers run with bench/ as their working directory.
#
# Options
#   --target NAME=URL   extra target (repeatable). URL must be http://127.0.0.1:PORT/... (or localhost).
#   --start NAME=CMD    command that starts target NAME (run under `timeout`, pinned like the peers,
#                       waited for until the port accepts, stopped by PID afterwards). Optional.
#   --only A,B,...      run only these names (built-in peers and/or targets), in this order
#   --no-peers          skip the built-in peers (only --target entries)
#   --script S          signed | unique | signed,unique   (default: signed)
#   --conns LIST        concurrency levels, comma-separated (default: 32,1)
#   --threads N         wrk threads (default 1)
#   --duration S        seconds per measured wrk run (default 10)
#   --warmup S          seconds of warm-up per peer, at the first concurrency level (default 3)
#   --repeat N          repeat the whole matrix N times, interleaved by round (default 1)
#   --baseline NAME     peer that ratios are computed against (default hb-verify)
#   --pin | --no-pin    pin servers to CPU 0 and wrk to CPU 1 (default: pin when >= 2 CPUs)
#   --out DIR           results directory (default bench/results/<UTC timestamp>)
#   --list              list built-in peers and exit
#   Environment: BENCH_DATA (request data folder, default bench/data; made by gen_requests.py if missing).
#   Durable peers (not run by default; name them with --only): hb-grdb, hb-postgres
#   (build: cd bench/peers/durable-peers && swift build -c release; hb-grdb writes into $HB_GRDB_DIR,
#   hb-postgres needs a PostgreSQL reachable with the PG* environment: bench/run.sh starts a throwaway one)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"   # bench/harness
BENCH="$(cd "$HERE/.." && pwd)"                        # bench
CALLER_PWD="$PWD"
DATA="${BENCH_DATA:-$BENCH/data}"
[[ "$DATA" == /* ]] || DATA="$CALLER_PWD/$DATA"
cd "$BENCH"

DURATION=10; WARMUP=3; CONNS="32,1"; THREADS=1; SCRIPTS="signed"; REPEAT=1
BASELINE="hb-verify"; ONLY=""; NO_PEERS=0; OUT=""; PIN=auto
declare -A TARGET_URL=() TARGET_CMD=()
TARGET_ORDER=()

die() { echo "run-peers: $*" >&2; exit 2; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    --target) [[ "${2:-}" == *=* ]] || die "--target needs NAME=URL"
              n="${2%%=*}"; TARGET_URL[$n]="${2#*=}"; TARGET_ORDER+=("$n"); shift 2;;
    --start)  [[ "${2:-}" == *=* ]] || die "--start needs NAME=CMD"
              TARGET_CMD[${2%%=*}]="${2#*=}"; shift 2;;
    --only) ONLY="$2"; shift 2;;
    --no-peers) NO_PEERS=1; shift;;
    --script) SCRIPTS="$2"; shift 2;;
    --conns) CONNS="$2"; shift 2;;
    --threads) THREADS="$2"; shift 2;;
    --duration) DURATION="$2"; shift 2;;
    --warmup) WARMUP="$2"; shift 2;;
    --repeat) REPEAT="$2"; shift 2;;
    --baseline) BASELINE="$2"; shift 2;;
    --pin) PIN=1; shift;;
    --no-pin) PIN=0; shift;;
    --out) OUT="$2"; shift 2;;
    --list) LIST=1; shift;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0;;
    *) die "unknown option $1 (see --help)";;
  esac
done

# ---------------------------------------------------------------- built-in peers
HB_BIN="$BENCH/peers/hummingbird-peer/.build/release/HBPeer"
DURABLE="$BENCH/peers/durable-peers"
HOOKS="$BENCH/peers/adnanh/hooks.json"
WEBHOOK_BIN="$(command -v webhook || true)"
PEER_ORDER=(adnanh-exec-sync adnanh-exec-async adnanh-exec-script adnanh-noexec hb-verify hb-hmac hb-collect hb-noop)
DURABLE_ORDER=(hb-grdb hb-postgres)   # listed, but run only when named with --only
declare -A PEER_URL=(
  [adnanh-exec-sync]="http://127.0.0.1:18081/hooks/gu1-exec-sync"
  [adnanh-exec-async]="http://127.0.0.1:18082/hooks/gu1-exec-async"
  [adnanh-exec-script]="http://127.0.0.1:18084/hooks/gu1-exec-script"
  [adnanh-noexec]="http://127.0.0.1:18083/hooks/gu1-noexec"
  [hb-verify]="http://127.0.0.1:18091/webhooks/gu1"
  [hb-noop]="http://127.0.0.1:18092/webhooks/gu1/noop"
  [hb-hmac]="http://127.0.0.1:18093/webhooks/gu1/hmac"
  [hb-collect]="http://127.0.0.1:18094/webhooks/gu1/collect"
  [hb-grdb]="http://127.0.0.1:18095/webhooks/gu1"
  [hb-postgres]="http://127.0.0.1:18096/webhooks/gu1"
)
declare -A PEER_CMD=(
  [adnanh-exec-sync]="$WEBHOOK_BIN -ip 127.0.0.1 -port 18081 -hooks $HOOKS"
  [adnanh-exec-async]="$WEBHOOK_BIN -ip 127.0.0.1 -port 18082 -hooks $HOOKS"
  [adnanh-exec-script]="$WEBHOOK_BIN -ip 127.0.0.1 -port 18084 -hooks $HOOKS"
  [adnanh-noexec]="$WEBHOOK_BIN -ip 127.0.0.1 -port 18083 -hooks $HOOKS"
  [hb-verify]="$HB_BIN 18091"
  [hb-noop]="$HB_BIN 18092"
  [hb-hmac]="$HB_BIN 18093"
  [hb-collect]="$HB_BIN 18094"
  [hb-grdb]="$DURABLE/run-grdb.sh 18095"
  [hb-postgres]="$DURABLE/run-postgres.sh 18096"
)
declare -A PEER_DESC=(
  [adnanh-exec-sync]="adnanh/webhook 2.8.0, HMAC rule, runs /bin/true, waits for it (output in response)"
  [adnanh-exec-async]="adnanh/webhook 2.8.0, HMAC rule, responds then runs /bin/true in background"
  [adnanh-exec-script]="adnanh/webhook 2.8.0, HMAC rule, runs peers/adnanh/append-line.sh per request, waits for it"
  [adnanh-noexec]="adnanh/webhook 2.8.0, HMAC rule, empty execute-command (no fork)"
  [hb-verify]="Hummingbird 2: collect + HMAC-SHA256 verify + JSONDecoder, 200 {\"ok\":true}"
  [hb-noop]="Hummingbird 2: 200 {\"ok\":true}, no verify/decode (upper bound)"
  [hb-hmac]="Hummingbird 2: collect + HMAC verify, no JSON decode (decomposition)"
  [hb-collect]="Hummingbird 2: collect body only (decomposition)"
  [hb-grdb]="Hummingbird 2 + GRDB: verify + decode + INSERT ON CONFLICT, SQLite WAL synchronous=FULL, one transaction per request"
  [hb-postgres]="Hummingbird 2 + PostgresNIO: verify + decode + INSERT ON CONFLICT, one statement per request (needs PostgreSQL, PG* env)"
)
declare -A PEER_VERIFIES=([hb-noop]=0 [hb-collect]=0)   # everything else must reject a bad signature

if [[ -n "${LIST:-}" ]]; then
  for p in "${PEER_ORDER[@]}" "${DURABLE_ORDER[@]}"; do printf '%-18s %-45s %s\n' "$p" "${PEER_URL[$p]}" "${PEER_DESC[$p]}"; done
  exit 0
fi

# ---------------------------------------------------------------- selection
ALL=()
[[ $NO_PEERS -eq 1 ]] || ALL+=("${PEER_ORDER[@]}")
ALL+=("${TARGET_ORDER[@]}")
if [[ -n "$ONLY" ]]; then IFS=, read -r -a SEL <<<"$ONLY"; else SEL=("${ALL[@]}"); fi
declare -A URL=() CMD=() VERIFIES=()
for n in "${SEL[@]}"; do
  if [[ -n "${TARGET_URL[$n]:-}" ]]; then URL[$n]="${TARGET_URL[$n]}"; CMD[$n]="${TARGET_CMD[$n]:-}"
  elif [[ -n "${PEER_URL[$n]:-}" ]]; then URL[$n]="${PEER_URL[$n]}"; CMD[$n]="${PEER_CMD[$n]}"
  else die "unknown peer/target '$n' (built-in: ${PEER_ORDER[*]} ${DURABLE_ORDER[*]})"; fi
  VERIFIES[$n]="${PEER_VERIFIES[$n]:-1}"
  [[ "${URL[$n]}" =~ ^http://(127\.0\.0\.1|localhost)(:[0-9]+)?/ ]] || die "$n: URL must be http://127.0.0.1:PORT/... (loopback only)"
done
[[ ${#SEL[@]} -gt 0 ]] || die "nothing to run"

command -v wrk >/dev/null || die "wrk not installed (apt-get install -y wrk)"
for n in "${SEL[@]}"; do
  case "$n" in adnanh-*) [[ -n "$WEBHOOK_BIN" ]] || die "webhook not installed (apt-get install -y webhook)";; esac
  case "$n" in
    hb-grdb) [[ -x "$DURABLE/.build/release/HBGRDBPeer" ]] || die "build the durable peers first: (cd bench/peers/durable-peers && swift build -c release)";;
    hb-postgres) [[ -x "$DURABLE/.build/release/HBPostgresPeer" ]] || die "build the durable peers first: (cd bench/peers/durable-peers && swift build -c release)";;
    hb-*) [[ -x "$HB_BIN" ]] || die "build the Hummingbird peer first: (cd bench/peers/hummingbird-peer && swift build -c release)";;
  esac
done
if [[ ! -s "$DATA/body.json" || ! -s "$DATA/unique.tsv" ]]; then python3 "$HERE/gen_requests.py" --out "$DATA"; fi
export BENCH_DATA="$DATA" WRK_THREADS="$THREADS"

NCPU=$(nproc)
if [[ "$PIN" == auto ]]; then PIN=$([[ $NCPU -ge 2 ]] && echo 1 || echo 0); fi
if [[ "$PIN" == 1 ]]; then SRV_PIN=(taskset -c 0); WRK_PIN=(taskset -c 1); else SRV_PIN=(); WRK_PIN=(); fi

OUT="${OUT:-$BENCH/results/$(date -u +%Y%m%dT%H%M%SZ)}"
[[ "$OUT" == /* ]] || OUT="$CALLER_PWD/$OUT"   # a relative --out is relative to where we were called from
mkdir -p "$OUT"
TSV="$OUT/results.tsv"
printf 'round\tpeer\tscript\tconns\trps\tp50_us\tp99_us\tnon2xx\terrors\tsrv_cpu_us_per_req\tsrv_rss_kb\tauth\n' >"$TSV"
IFS=, read -r -a CONN_LIST <<<"$CONNS"
IFS=, read -r -a SCRIPT_LIST <<<"$SCRIPTS"
PER_PEER_S=$(( WARMUP + (DURATION + 2) * ${#CONN_LIST[@]} * ${#SCRIPT_LIST[@]} + 30 ))

STARTED=()   # PIDs of the `timeout` wrappers we launched
cleanup() { for p in "${STARTED[@]}"; do kill -TERM "$p" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM

port_of() { local hp="${1#http://}"; hp="${hp%%/*}"; [[ "$hp" == *:* ]] && echo "${hp##*:}" || echo 80; }

wait_port() {  # wait until 127.0.0.1:$1 accepts connections (max ~15 s)
  for _ in $(seq 1 150); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

cpu_ticks() {  # utime+stime+cutime+cstime of a PID, in clock ticks
  [[ -r "/proc/$1/stat" ]] || { echo 0; return; }
  awk '{ sub(/^.*\) /, ""); print $12 + $13 + $14 + $15 }' "/proc/$1/stat"
}
CLK_TCK=$(getconf CLK_TCK)

auth_check() {  # 2xx with the good signature; non-2xx with a bad one (when the peer verifies)
  local name="$1" url="$2" good bad
  good=$(curl -s -m 5 -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
         -H "X-Webhook-Signature: $(cat "$DATA/body.sig")" --data-binary "@$DATA/body.json" "$url" || echo 000)
  bad=$(curl -s -m 5 -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
         -H "X-Webhook-Signature: $(printf '0%.0s' {1..64})" --data-binary "@$DATA/body.json" "$url" || echo 000)
  if [[ "$good" != 2* ]]; then echo "FAIL(good=$good)"
  elif [[ "${VERIFIES[$name]}" == 1 && "$bad" == 2* ]]; then echo "FAIL(bad=$bad)"
  else echo "ok($good/$bad)"; fi
}

run_wrk() {  # name url script conns duration logfile -> prints BENCH_RESULT line
  local url="$2" script="$3" c="$4" d="$5" log="$6"
  local t=$THREADS; (( t > c )) && t=$c
  timeout --kill-after=5 $(( d + 20 )) "${WRK_PIN[@]}" wrk -t"$t" -c"$c" -d"${d}s" --timeout 2s --latency \
      -s "$HERE/wrk/${script}_post$([[ $script == unique ]] && echo s).lua" "$url" >"$log" 2>&1 || true
  grep '^BENCH_RESULT' "$log" || echo "BENCH_RESULT failed=1"
}

field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<" $2"; }

echo "# run-peers: $(date -u +%FT%TZ)  cpus=$NCPU pin=$PIN  wrk -t$THREADS d=${DURATION}s warmup=${WARMUP}s conns=$CONNS scripts=$SCRIPTS repeat=$REPEAT"
echo "# results -> $OUT"
for round in $(seq 1 "$REPEAT"); do
  for name in "${SEL[@]}"; do
    url="${URL[$name]}"; cmd="${CMD[$name]}"; port=$(port_of "$url"); pid=""; tpid=""
    if [[ -n "$cmd" ]]; then
      if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        echo "!! $name: port $port already in use, skipping"; continue
      fi
      # shellcheck disable=SC2086
      timeout --kill-after=5 "$PER_PEER_S" "${SRV_PIN[@]}" bash -c "exec $cmd" >"$OUT/$name.r$round.server.log" 2>&1 &
      tpid=$!; STARTED+=("$tpid")
      if ! wait_port "$port"; then echo "!! $name: did not listen on $port"; kill -TERM "$tpid" 2>/dev/null || true; continue; fi
      pid=$(pgrep -P "$tpid" | head -1 || true)   # the server itself (child of timeout)
    else
      wait_port "$port" || { echo "!! $name: nothing listening on $port (start it or pass --start)"; continue; }
    fi
    auth=$(auth_check "$name" "$url")
    echo "== round $round  $name  $url  pid=${pid:-external}  auth=$auth"
    for script in "${SCRIPT_LIST[@]}"; do
      # warm-up at the first concurrency level (not recorded)
      run_wrk "$name" "$url" "$script" "${CONN_LIST[0]}" "$WARMUP" "$OUT/$name.$script.r$round.warmup.log" >/dev/null
      for c in "${CONN_LIST[@]}"; do
        t0=$([[ -n "$pid" ]] && cpu_ticks "$pid" || echo 0)
        res=$(run_wrk "$name" "$url" "$script" "$c" "$DURATION" "$OUT/$name.$script.c$c.r$round.log")
        t1=$([[ -n "$pid" ]] && cpu_ticks "$pid" || echo 0)
        reqs=$(field requests "$res"); rps=$(field rps "$res")
        p50=$(field p50_us "$res"); p99=$(field p99_us "$res"); non2xx=$(field non2xx "$res")
        errs=$(awk -v a="$(field err_connect "$res")" -v b="$(field err_read "$res")" -v c="$(field err_write "$res")" \
               -v d="$(field err_timeout "$res")" 'BEGIN{ if (a=="") print "NA"; else print a+b+c+d }')
        cpu=NA; rss=NA
        if [[ -n "$pid" && -n "$reqs" && "$reqs" -gt 0 ]]; then
          cpu=$(awk -v a="$t0" -v b="$t1" -v n="$reqs" -v hz="$CLK_TCK" 'BEGIN{printf "%.1f", (b-a)/hz*1e6/n}')
          rss=$(awk '/VmHWM/{print $2}' "/proc/$pid/status" 2>/dev/null || echo NA)
        fi
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$name" "$script" "$c" \
          "${rps:-NA}" "${p50:-NA}" "${p99:-NA}" "${non2xx:-NA}" "$errs" "$cpu" "${rss:-NA}" "$auth" >>"$TSV"
        printf '   %-7s c=%-3s %10s req/s  p50=%6sus  p99=%7sus  non2xx=%s err=%s  srv_cpu=%sus/req\n' \
          "$script" "$c" "${rps:-NA}" "${p50:-NA}" "${p99:-NA}" "${non2xx:-NA}" "$errs" "$cpu"
      done
    done
    if [[ -n "$tpid" ]]; then
      kill -TERM "${pid:-$tpid}" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$tpid" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "$tpid" 2>/dev/null || true
      wait "$tpid" 2>/dev/null || true
    fi
  done
done

python3 "$HERE/summarize.py" "$TSV" --baseline "$BASELINE" | tee "$OUT/table.md"
