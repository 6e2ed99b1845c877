-- Moves every dead letter back to pending with a fresh attempt count.
-- KEYS[1] dead (hash)  KEYS[2] items (hash)  KEYS[3] pending (list)
-- ARGV[1] wake-up channel
-- Returns the number of items moved.
local all = redis.call('HGETALL', KEYS[1])
local n = 0
for i = 1, #all, 2 do
  local entry = cjson.decode(all[i + 1])
  redis.call('HSET', KEYS[2], all[i], '0|0|' .. entry.payload)
  redis.call('RPUSH', KEYS[3], all[i])
  n = n + 1
end
if n > 0 then
  redis.call('DEL', KEYS[1])
  redis.call('PUBLISH', ARGV[1], n)
end
return n
