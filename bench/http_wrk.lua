-- bench/http_wrk.lua - the wrk script of bench/http.sh: replays a list of
-- requests in rotation and prints one JSON line with the figures.
--
--   NT_BENCH_REQUESTS=FILE wrk -s bench/http_wrk.lua ...
--
-- FILE has one request per line: METHOD <tab> PATH [<tab> BODY].  A POST
-- body is sent as application/json.  Each wrk thread formats every request
-- once (init), then sends them in turn, starting at its own offset so that
-- the threads do not move in step.  The same file is replayed against
-- niemtin serve and against nginx, so both see the same bytes.
--
-- done() prints, on a line of its own, a JSON object beginning {"wrk":
-- requests, requests per second, latency percentiles in milliseconds, mean
-- bytes per response (headers and body), and the error counts wrk keeps
-- (a response with status >= 400 counts in "status").

local reqs = {}
local pos = 1

local function load(path)
   local f = assert(io.open(path, "rb"), "NT_BENCH_REQUESTS: cannot open " .. tostring(path))
   local out = {}
   for line in f:lines() do
      local method, p, body = line:match("^(%u+)\t([^\t]+)\t?(.*)$")
      if method then
         out[#out + 1] = {method = method, path = p, body = body ~= "" and body or nil}
      end
   end
   f:close()
   assert(#out > 0, "NT_BENCH_REQUESTS: no requests in " .. path)
   return out
end

local list = load(os.getenv("NT_BENCH_REQUESTS"))
local thread_no = 0

function setup(thread)
   thread:set("offset", thread_no)
   thread_no = thread_no + 1
end

function init(args)
   for i, r in ipairs(list) do
      local headers = {}
      if r.body then
         headers["Content-Type"] = "application/json"
      end
      reqs[i] = wrk.format(r.method, r.path, headers, r.body)
   end
   -- threads start spread over the list
   pos = ((offset or 0) * 7919) % #reqs + 1
end

function request()
   local r = reqs[pos]
   pos = pos + 1
   if pos > #reqs then
      pos = 1
   end
   return r
end

function done(summary, latency, requests)
   local e = summary.errors
   local secs = summary.duration / 1e6
   io.write(string.format(
      '{"wrk":1,"requests":%d,"seconds":%.3f,"rps":%.1f,' ..
      '"p50_ms":%.3f,"p90_ms":%.3f,"p99_ms":%.3f,"max_ms":%.3f,"mean_ms":%.3f,' ..
      '"bytes_per_response":%.1f,"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}}\n',
      summary.requests, secs, summary.requests / secs,
      latency:percentile(50) / 1000, latency:percentile(90) / 1000,
      latency:percentile(99) / 1000, latency.max / 1000, latency.mean / 1000,
      summary.requests > 0 and summary.bytes / summary.requests or 0,
      e.connect, e.read, e.write, e.status, e.timeout))
end
