-- Redis' own clock in milliseconds: every lease deadline and retry time is read against it, never
-- against a worker's clock.
local function server_time_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
