-- wrk script for the Mend benchmark: replays the requests listed in the file named by
-- BENCH_TARGETS, one per line: METHOD<TAB>PATH<TAB>BEARER TOKEN<TAB>JSON BODY (body optional).
-- Each wrk thread starts at its own offset and cycles through the list. At the end it prints one
-- line "BENCH_JSON {...}" with the counts and latency percentiles (microseconds).
local targets = {}

-- Built in each thread's init: wrk.host (for the Host header) is known only from then on.
local function load_targets()
  local path = os.getenv("BENCH_TARGETS")
  for line in io.lines(path) do
    local method, p, token, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t?(.*)$")
    if method then
      local headers = { ["Host"] = wrk.host .. ":" .. tostring(wrk.port), ["Accept"] = "application/json" }
      if token ~= "" then
        headers["Authorization"] = "Bearer " .. token
      end
      if body == "" then
        body = nil
      else
        headers["Content-Type"] = "application/json"
      end
      targets[#targets + 1] = wrk.format(method, p, headers, body)
    end
  end
  if #targets == 0 then
    error("no targets in " .. tostring(path))
  end
end

local counter = 0
local threads = {}

function setup(thread)
  counter = counter + 1
  thread:set("offset", counter * 7919)
  table.insert(threads, thread)
end

function init(args)
  load_targets()
  i = offset or 0
  bad = 0
  first_bad = ""
end

function request()
  i = i + 1
  return targets[(i % #targets) + 1]
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    bad = bad + 1
    if first_bad == "" then
      first_bad = tostring(status) .. " " .. string.sub(body or "", 1, 200)
    end
  end
end

function done(summary, latency, requests)
  local bad_total, sample = 0, ""
  for _, t in ipairs(threads) do
    bad_total = bad_total + (t:get("bad") or 0)
    local s = t:get("first_bad")
    if s and s ~= "" and sample == "" then
      sample = s
    end
  end
  sample = sample:gsub("\\", "\\\\"):gsub('"', '\\"'):gsub("[%c]", " ")
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"non_2xx":%d,"status_errors":%d,"connect_errors":%d,' ..
    '"read_errors":%d,"write_errors":%d,"timeouts":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,' ..
    '"mean_us":%.1f,"first_bad":"%s"}\n',
    summary.requests, summary.duration, bad_total, summary.errors.status, summary.errors.connect,
    summary.errors.read, summary.errors.write, summary.errors.timeout, latency:percentile(50),
    latency:percentile(90), latency:percentile(99), latency.max, latency.mean, sample))
end
