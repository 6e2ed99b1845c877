-- Removes finished items, each only while the acking worker still holds its lease (the score is
-- the deadline that worker was given), so a worker that stalled past its lease never deletes an
-- item another worker has taken since, nor one a requeue or fill has put back.
-- KEYS[1] inflight (zset)  KEYS[2] items (hash)
-- ARGV pairs of id, lease deadline (at most a few thousand pairs per call)
-- Returns the number of items removed.
local ids = {}
for i = 1, #ARGV, 2 do ids[#ids + 1] = ARGV[i] end
local scores = redis.call('ZMSCORE', KEYS[1], unpack(ids))
local mine = {}
for i, id in ipairs(ids) do
  if scores[i] and tonumber(scores[i]) == tonumber(ARGV[2 * i]) then mine[#mine + 1] = id end
end
if #mine == 0 then return 0 end
redis.call('ZREM', KEYS[1], unpack(mine))
redis.call('HDEL', KEYS[2], unpack(mine))
return #mine
