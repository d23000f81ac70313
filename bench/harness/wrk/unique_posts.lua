-- wrk script: cycle through N pre-generated, individually signed requests (distinct payload.id),
-- so an idempotency store sees new events (until the pool wraps; see BENCH_RESULT pool=/wrapped=).
-- Data: $BENCH_DATA/unique.tsv from gen_requests.py (run-peers.sh sets BENCH_DATA to bench/data), lines "<hex sig>\t<body>".
-- Threads stride through the pool (thread k sends k, k+T, k+2T, ...) with T = $WRK_THREADS (default 1).
local here = (debug.getinfo(1, "S").source:match("^@(.*/)") or "./")
dofile(here .. "report.lua")

local next_tid = 0
function setup(thread)
  thread:set("tid", next_tid)
  next_tid = next_tid + 1
  table.insert(bench_threads, thread)
end

local reqs, n, idx, step = {}, 0, 0, 1
function init(args)
  local path = (os.getenv("BENCH_DATA") or "data") .. "/unique.tsv"
  local hdr = { ["Content-Type"] = "application/json" }
  for line in io.lines(path) do
    local sig, body = line:match("^(%x+)\t(.*)$")
    if sig then
      hdr["X-Webhook-Signature"] = sig
      n = n + 1
      reqs[n] = wrk.format("POST", nil, hdr, body)
    end
  end
  assert(n > 0, "no requests in " .. path)
  step = tonumber(os.getenv("WRK_THREADS") or "1")
  idx = tid or 0            -- 0-based; request() pre-increments
  pool = n                  -- exported for done()
  idx = idx - step
end

function request()
  idx = (idx + step) % n
  return reqs[idx + 1]
end

function done(summary, latency, requests)
  local pool = 0
  for _, t in ipairs(bench_threads) do pool = math.max(pool, t:get("pool") or 0) end
  bench_report(summary, latency, requests,
    string.format(" script=unique pool=%d wrapped=%s", pool, tostring(summary.requests > pool)))
end
