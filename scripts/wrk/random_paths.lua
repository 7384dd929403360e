-- wrk script for scripts/bench_load.py: every request asks for a path drawn at random from a
-- file of paths (one a line, e.g. /documents/?person=x&date_from=1850&date_to=1869), so a run
-- measures many parameter sets, not one repeated URL.  done() prints one line,
--   BENCH_LOAD_JSON {...}
-- with the request count, duration, latency percentiles (microseconds), the socket errors
-- and every HTTP status seen, for bench_load.py to read.
--
--   wrk -t2 -c4 -d20s -s scripts/wrk/random_paths.lua http://127.0.0.1:8000 -- paths.txt [seed]

-- As the TLS-terminating proxy in front of gunicorn would (else the site redirects to https).
wrk.headers["X-Forwarded-Proto"] = "https"
wrk.headers["X-Forwarded-For"] = "127.0.0.1"

local threads = {}
local counter = 0

function setup(thread)
   counter = counter + 1
   thread:set("thread_number", counter)
   table.insert(threads, thread)
end

function init(args)
   local file = args[1] or error("random_paths.lua needs a file of paths after --")
   paths = {}
   for line in io.lines(file) do
      if #line > 0 then
         paths[#paths + 1] = line
      end
   end
   if #paths == 0 then
      error("no paths in " .. file)
   end
   math.randomseed((tonumber(args[2]) or 1) * 1000 + (thread_number or 0))
   statuses = {}
end

function request()
   return wrk.format("GET", paths[math.random(#paths)])
end

function response(status, headers, body)
   statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
   local seen = {}
   for _, thread in ipairs(threads) do
      local counts = thread:get("statuses")
      for status, n in pairs(counts or {}) do
         seen[status] = (seen[status] or 0) + n
      end
   end
   local parts = {}
   for status, n in pairs(seen) do
      parts[#parts + 1] = string.format('"%d": %d', status, n)
   end
   local errors = summary.errors
   io.write(string.format(
      'BENCH_LOAD_JSON {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
      '"latency_us": {"p50": %d, "p95": %d, "p99": %d, "max": %d, "mean": %.1f}, ' ..
      '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
      '"statuses": {%s}}\n',
      summary.requests, summary.duration, summary.bytes,
      latency:percentile(50), latency:percentile(95), latency:percentile(99),
      latency.max, latency.mean,
      errors.connect, errors.read, errors.write, errors.status, errors.timeout,
      table.concat(parts, ", ")))
end
