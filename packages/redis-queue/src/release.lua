-- Gives items a stopping worker took but never started back to the head of pending, in order,
-- each only while that worker still holds its lease. Their attempt counts are unchanged.
-- KEYS[1] inflight (zset)  KEYS[2] pending (list)
-- ARGV[1] wake-up channel  ARGV[2..] pairs of id, lease deadline, in the order they were taken
-- Returns the number of items released.
local ids = {}
for i = 2, #ARGV, 2 do ids[#ids + 1] = ARGV[i] end
local scores = redis.call('ZMSCORE', KEYS[1], unpack(ids))
local mine = {}
-- Reversed, so that LPUSH leaves them at the head in the order they were taken.
for i = #ids, 1, -1 do
  if scores[i] and tonumber(scores[i]) == tonumber(ARGV[2 * i + 1]) then mine[#mine + 1] = ids[i] end
end
if #mine == 0 then return 0 end
redis.call('ZREM', KEYS[1], unpack(mine))
redis.call('LPUSH', KEYS[2], unpack(mine))
redis.call('PUBLISH', ARGV[1], #mine)
return #mine
