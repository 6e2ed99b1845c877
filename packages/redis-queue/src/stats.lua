-- Reads the queue's counts and the age of the head of pending in one step (one Redis time).
-- KEYS[1] pending (list of entries)  KEYS[2] taken (hash; field '#' counts the items in flight)
-- KEYS[3] delayed (zset)  KEYS[4] dead (hash)
-- Returns { pending, in flight, delayed, dead, age of the head item in ms or -1 }: -1 when
-- nothing is pending or the head id holds no time (items written by fill).
--@include includes/server-time.lua

local head = redis.call('LINDEX', KEYS[1], 0)
local age = -1
if head then
  -- An entry is an id, or an id, a space and the item's value (see take.lua).
  local due = string.match(head, '^%d+%-(%d+)$') or string.match(head, '^%d+%-(%d+) ')
  if due then
    local now = server_time_ms()
    age = math.max(0, now - tonumber(due))
  end
end
return {
  redis.call('LLEN', KEYS[1]), tonumber(redis.call('HGET', KEYS[2], '#') or '0'), redis.call('ZCARD', KEYS[3]),
  redis.call('HLEN', KEYS[4]), age
}
