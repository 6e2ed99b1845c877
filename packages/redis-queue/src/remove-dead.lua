-- Deletes the given dead letters and keeps its answer for a while under a key of this call's
-- own, so a re-sent call answers what the first run did.
-- KEYS[1] dead (hash)  KEYS[2] this call's answer  KEYS[3] dedup (hash)  KEYS[4] keyof (hash)
-- ARGV[1] how long the answer is kept, ms  ARGV[2..] dead letter ids
-- Returns the number of dead letters deleted.
--@include includes/free-keys.lua

local answered = redis.call('GET', KEYS[2])
if answered then return tonumber(answered) end
local ids = {}
for i = 2, #ARGV do ids[#ids + 1] = ARGV[i] end
local present, seen = {}, {}
for _, id in ipairs(ids) do
  if not seen[id] and redis.call('HEXISTS', KEYS[1], id) == 1 then present[#present + 1] = id end
  seen[id] = true
end
if #present > 0 then
  free_keys(KEYS[3], KEYS[4], present)
  redis.call('HDEL', KEYS[1], unpack(present))
end
redis.call('SET', KEYS[2], #present, 'PX', ARGV[1])
return #present
