-- Removes finished items. Only items still in flight are removed, so an ack never deletes an
-- item that a requeue or fill has put back.
-- KEYS[1] inflight (zset)  KEYS[2] items (hash)
-- ARGV ids
-- Returns the number of items removed.
local n = 0
for _, id in ipairs(ARGV) do
  if redis.call('ZREM', KEYS[1], id) == 1 then
    redis.call('HDEL', KEYS[2], id)
    n = n + 1
  end
end
return n
