-- wrk script: POST the same signed Gu1 KYC webhook body on every request.
-- Data comes from gen_requests.py: $BENCH_DATA/body.json and body.sig (run-peers.sh sets BENCH_DATA to bench/data;
-- default ./data).
-- Request is built once by wrk (static wrk.body/headers), so the generator adds no per-request Lua cost.
local here = (debug.getinfo(1, "S").source:match("^@(.*/)") or "./")
dofile(here .. "report.lua")

local function slurp(path)
  local f = assert(io.open(path, "rb"), "cannot open " .. path .. " (run gen_requests.py)")
  local s = f:read("*a"); f:close(); return s
end

local dir = os.getenv("BENCH_DATA") or "data"
wrk.method = "POST"
wrk.body = slurp(dir .. "/body.json")
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Webhook-Signature"] = (slurp(dir .. "/body.sig"):gsub("%s+", ""))

function done(summary, latency, requests)
  bench_report(summary, latency, requests, " script=signed")
end
