-- Plaintext pipelined: each write carries DEPTH requests (default 16) back to back on one
-- connection, as in TechEmpower's plaintext test. wrk counts every response.
init = function(args)
  local depth = tonumber(args[1]) or 16
  local r = {}
  for i = 1, depth do
    r[i] = wrk.format(nil, "/plaintext")
  end
  req = table.concat(r)
end

request = function()
  return req
end
