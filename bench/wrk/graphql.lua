-- wrk script for the leadgate benchmark (bench/run). Sends the JSON body in
-- $BENCH_BODY_FILE to $BENCH_PATH (default /graphql) with the key in $BENCH_KEY.
-- In the body, {{EMAIL}} and {{PHONE}} become an address and a valid US number unique to
-- this request (thread, counter and $BENCH_RUN), so creates never match each other.
-- A GraphQL answer with "errors" counts as an error, like a non-2xx status. done()
-- prints one line "RESULT {json}" that bench/report.py reads.

local threads = {}
local thread_count = 0

function setup(thread)
  thread:set("tid", thread_count)
  thread_count = thread_count + 1
  table.insert(threads, thread)
end

function init(args)
  local file = assert(io.open(os.getenv("BENCH_BODY_FILE"), "r"))
  template = file:read("*a")
  file:close()
  run = tonumber(os.getenv("BENCH_RUN") or "0")
  path = os.getenv("BENCH_PATH") or "/graphql"
  headers = {
    ["content-type"] = "application/json",
    ["accept"] = "application/json",
    ["x-api-key"] = os.getenv("BENCH_KEY"),
  }
  sent = 0
  graphql_errors = 0
  unique = string.find(template, "{{EMAIL}}", 1, true) ~= nil
end

function request()
  sent = sent + 1
  local body = template
  if unique then
    -- run, thread (0-63), counter (< 100,000): one number per request.
    local n = (run * 64 + tid) * 100000 + sent
    local email = string.format("bench.%d@example.com", n)
    -- NANP: exchange 200-999 and a four-digit line, spread over a few real area codes.
    local areas = { "678", "404", "212", "415", "312", "617", "206", "303" }
    local area = areas[math.floor(n / 8000000) % #areas + 1]
    local exchange = 200 + math.floor(n / 10000) % 800
    local phone = string.format("%s%03d%04d", area, exchange, n % 10000)
    body = string.gsub(template, "{{EMAIL}}", email)
    body = string.gsub(body, "{{PHONE}}", phone)
  end
  return wrk.format("POST", path, headers, body)
end

function response(status, headers, body)
  if status == 200 and string.find(body, '"errors"', 1, true) then
    graphql_errors = graphql_errors + 1
  end
end

function done(summary, latency, requests)
  local errors = 0
  for _, thread in ipairs(threads) do
    errors = errors + thread:get("graphql_errors")
  end
  io.write(string.format(
    'RESULT {"requests":%d,"duration_us":%d,"non2xx":%d,"socket_errors":%d,"graphql_errors":%d,' ..
    '"p50_us":%d,"p99_us":%d,"mean_us":%.1f}\n',
    summary.requests, summary.duration, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    errors, latency:percentile(50), latency:percentile(99), latency.mean))
end
