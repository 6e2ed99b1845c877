-- Reclaims due retries and expired leases, then takes up to N pending items under one lease.
-- KEYS[1] pending (list)  KEYS[2] inflight (zset id -> lease deadline ms)
-- KEYS[3] items (hash id -> "attempts|firstFailMs|payload")  KEYS[4] delayed (zset id -> due ms)
-- ARGV[1] max items  ARGV[2] lease ms
-- Returns { ids, values, deadline } (values in the order of ids), or {} when nothing is pending.
-- The deadline is the lease's token: a later lease on the same id always has a later deadline,
-- because an id is only taken again once its deadline has passed.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local due = redis.call('ZRANGEBYSCORE', KEYS[4], '-inf', now, 'LIMIT', 0, 1000)
if #due > 0 then
  redis.call('ZREM', KEYS[4], unpack(due))
  redis.call('RPUSH', KEYS[1], unpack(due))
end
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, 1000)
if #expired > 0 then
  redis.call('ZREM', KEYS[2], unpack(expired))
  redis.call('LPUSH', KEYS[1], unpack(expired))
end
local ids = redis.call('LPOP', KEYS[1], tonumber(ARGV[1]))
if not ids then return {} end
local deadline = now + tonumber(ARGV[2])
local args = {}
for i, id in ipairs(ids) do
  args[2 * i - 1] = deadline
  args[2 * i] = id
end
redis.call('ZADD', KEYS[2], unpack(args))
return { ids, redis.call('HMGET', KEYS[3], unpack(ids)), deadline }
