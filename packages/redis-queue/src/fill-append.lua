-- Appends one batch of encoded items for the fill holding the marker, and renews the marker.
-- KEYS[1] filling  KEYS[2] seq  KEYS[3] items  KEYS[4] pending
-- ARGV[1] fill token  ARGV[2] marker ttl ms  ARGV[3] wake-up channel  ARGV[4..] encoded payloads
-- Returns 1 when written, 0 when the marker is not ours any more (nothing written).
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
local n = #ARGV - 3
if n > 0 then
  local last = redis.call('INCRBY', KEYS[2], n)
  local ids, fields = {}, {}
  for i = 1, n do
    local id = tostring(last - n + i)
    ids[i] = id
    fields[2 * i - 1] = id
    fields[2 * i] = '0|0|' .. ARGV[i + 3]
  end
  redis.call('HSET', KEYS[3], unpack(fields))
  redis.call('RPUSH', KEYS[4], unpack(ids))
  redis.call('PUBLISH', ARGV[3], n)
end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
