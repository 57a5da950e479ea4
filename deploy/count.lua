-- wrk script: counts every response by status class, per thread, and prints one summary line
-- that deploy/*.sh parse: "weft: requests N, errors N (connect N, read N, write N, timeout N), non-2xx N".
-- wrk's own "Non-2xx or 3xx responses" line counts only statuses above 399; here a 3xx or 1xx
-- final answer counts as non-2xx too.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  responses = 0
  non2xx = 0
end

function response(status, headers, body)
  responses = responses + 1
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
end

function done(summary, latency, requests)
  local r, n = 0, 0
  for _, t in ipairs(threads) do
    r = r + t:get("responses")
    n = n + t:get("non2xx")
  end
  local e = summary.errors
  local errors = e.connect + e.read + e.write + e.timeout
  io.write(string.format("weft: requests %d, errors %d (connect %d, read %d, write %d, timeout %d), non-2xx %d\n",
    r, errors, e.connect, e.read, e.write, e.timeout, n))
end
