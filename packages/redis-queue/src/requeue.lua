-- Moves the given dead letters back to pending, each under a new id (the time in an id is when
-- the item became due) with a fresh attempt count, and keeps its answer for a while under a key
-- of this call's own, so a re-sent call answers what the first run did. Ids that are not dead
-- letters (any more) are left alone. A requeued item no longer holds a de-duplication key.
-- KEYS[1] dead (hash)  KEYS[2] items (hash)  KEYS[3] pending (list)  KEYS[4] this call's answer
-- KEYS[5] seq (string)  KEYS[6] dedup (hash)  KEYS[7] keyof (hash)
-- ARGV[1] wake-up channel  ARGV[2] how long the answer is kept, ms  ARGV[3..] dead letter ids
-- Returns the number of items moved.
--@include includes/server-time.lua
--@include includes/free-keys.lua
--@include includes/sequence-ids.lua

local answered = redis.call('GET', KEYS[4])
if answered then return tonumber(answered) end
local now = server_time_ms()
local moved, payloads, seen = {}, {}, {}
for i = 3, #ARGV do
  local text = not seen[ARGV[i]] and redis.call('HGET', KEYS[1], ARGV[i])
  seen[ARGV[i]] = true
  if text then
    moved[#moved + 1] = ARGV[i]
    payloads[#moved] = cjson.decode(text).payload
  end
end
local n = #moved
if n > 0 then
  free_keys(KEYS[6], KEYS[7], moved)
  redis.call('HDEL', KEYS[1], unpack(moved))
  local last = redis.call('INCRBY', KEYS[5], n)
  local ids, fields, suffix = {}, {}, '-' .. now
  for i = 1, n do
    local id = seq_id(last - n + i, suffix)
    ids[i] = id
    fields[2 * i - 1] = id
    fields[2 * i] = '0|0|' .. payloads[i]
  end
  redis.call('HSET', KEYS[2], unpack(fields))
  redis.call('RPUSH', KEYS[3], unpack(ids))
  redis.call('PUBLISH', ARGV[1], n)
end
redis.call('SET', KEYS[4], n, 'PX', ARGV[2])
return n
