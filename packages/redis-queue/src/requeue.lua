-- Moves every dead letter back to pending with a fresh attempt count, and keeps its answer for a
-- while under a key of this call's own, so a re-sent call answers what the first run did.
-- KEYS[1] dead (hash)  KEYS[2] items (hash)  KEYS[3] pending (list)  KEYS[4] this call's answer
-- ARGV[1] wake-up channel  ARGV[2] how long the answer is kept, ms
-- Returns the number of items moved.
local answered = redis.call('GET', KEYS[4])
if answered then return tonumber(answered) end
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
redis.call('SET', KEYS[4], n, 'PX', ARGV[2])
return n
