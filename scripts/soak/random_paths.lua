-- wrk script for scripts/load_under_import.py: each request GETs a random path from the file
-- named by the PATHS environment variable (one path a line).  Counts responses that are not
-- 2xx per thread, and when wrk is done writes a JSON report to the file named by REPORT:
-- totals, socket errors, non-2xx count and the whole latency histogram (distinct values in
-- microseconds with their counts), so that several wrk runs can be merged exactly.
-- THINK_MS (optional): each connection waits a random time, exponentially distributed with
-- this mean in milliseconds, before its next request, as a reader does between pages; wrk's
-- latency figures leave the wait out, but the connection is open during it, and a gunicorn
-- sync worker that accepted it waits for the request the whole time (docs/reliability.md).

local paths = {}
local threads = {}

local function load_paths()
  local name = os.getenv("PATHS")
  local file = assert(io.open(name, "r"), "cannot open PATHS file " .. tostring(name))
  for line in file:lines() do
    if #line > 0 then
      paths[#paths + 1] = line
    end
  end
  file:close()
  assert(#paths > 0, "no paths in " .. name)
end

function setup(thread)
  thread:set("id", #threads + 1)
  threads[#threads + 1] = thread
end

function init(args)
  load_paths()
  math.randomseed(os.time() * 1000 + (id or 0) * 7919)
  non2xx = 0
  statuses = {}
end

local think = tonumber(os.getenv("THINK_MS") or "0") or 0
if think > 0 then
  function delay()
    return math.floor(-think * math.log(1 - math.random()))
  end
end

function request()
  return wrk.format("GET", paths[math.random(#paths)])
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    statuses[status] = (statuses[status] or 0) + 1
  end
end

function done(summary, latency, requests)
  local non2xx_total = 0
  local by_status = {}
  for _, thread in ipairs(threads) do
    non2xx_total = non2xx_total + (thread:get("non2xx") or 0)
    local seen = thread:get("statuses") or {}
    for code, count in pairs(seen) do
      by_status[code] = (by_status[code] or 0) + count
    end
  end
  local parts = {}
  for i = 1, #latency do
    local value, count = latency(i)
    parts[#parts + 1] = string.format("[%d,%d]", value, count)
  end
  local codes = {}
  for code, count in pairs(by_status) do
    codes[#codes + 1] = string.format('"%d":%d', code, count)
  end
  local e = summary.errors
  local out = assert(io.open(os.getenv("REPORT"), "w"))
  out:write(string.format(
    '{"duration_us":%d,"requests":%d,"bytes":%d,"connect":%d,"read":%d,"write":%d,' ..
    '"status":%d,"timeout":%d,"non2xx":%d,"statuses":{%s},"latency":[%s]}\n',
    summary.duration, summary.requests, summary.bytes, e.connect, e.read, e.write,
    e.status, e.timeout, non2xx_total, table.concat(codes, ","), table.concat(parts, ",")))
  out:close()
end
