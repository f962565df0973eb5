-- wrk script for bench/webhook.py: replays pre-generated signed LINE webhook requests.
--
--   wrk ... -s bench/signed_requests.lua http://127.0.0.1:PORT -- REQUESTS_FILE WRK_THREADS
--
-- REQUESTS_FILE has one request per line: "<X-Line-Signature>\t<compact JSON body>". Thread i of
-- n sends lines i, i+n, i+2n, … in order, so within one run every request is sent once until a
-- thread runs out and wraps around (bench/webhook.py reports that). done() prints one line
-- "BENCH {json}" with counts and latency percentiles in microseconds.

local next_id = 0
local threads = {}

function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  local path = args[1]
  local nthreads = tonumber(args[2])
  reqs = {}
  local i = 0
  for line in io.lines(path) do
    if i % nthreads == tid then
      local tab = line:find("\t", 1, true)
      local headers = {
        ["Content-Type"] = "application/json; charset=utf-8",
        ["X-Line-Signature"] = line:sub(1, tab - 1),
      }
      reqs[#reqs + 1] = wrk.format("POST", "/callback", headers, line:sub(tab + 1))
    end
    i = i + 1
  end
  if #reqs == 0 then
    error("no requests for thread " .. tid .. " in " .. path)
  end
  pos = 0
  sent = 0
  nreqs = #reqs
end

function request()
  sent = sent + 1
  pos = pos + 1
  if pos > #reqs then
    pos = 1
  end
  return reqs[pos]
end

function done(summary, latency, requests)
  local e = summary.errors
  -- Requests sent before a thread wrapped around its share: each a different event.
  local unique = 0
  for _, thread in ipairs(threads) do
    unique = unique + math.min(thread:get("sent"), thread:get("nreqs"))
  end
  io.write(string.format(
    'BENCH {"requests":%d,"unique":%d,"duration_us":%d,"p50_us":%.0f,"p90_us":%.0f,"p99_us":%.0f,"max_us":%.0f,'
      .. '"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}\n',
    summary.requests, unique, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, e.connect, e.read, e.write, e.status, e.timeout))
end
