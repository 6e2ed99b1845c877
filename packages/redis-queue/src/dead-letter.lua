-- Moves an undecodable item straight to the dead letter with the decode error.
-- KEYS[1] inflight (zset)  KEYS[2] items (hash)  KEYS[3] dead (hash)
-- ARGV[1] id  ARGV[2] lease deadline  ARGV[3] error text
-- Returns 0 if the worker no longer held the item's lease, else 1.
local id = ARGV[1]
if tonumber(redis.call('ZSCORE', KEYS[1], id)) ~= tonumber(ARGV[2]) then return 0 end
redis.call('ZREM', KEYS[1], id)
local value = redis.call('HGET', KEYS[2], id)
if not value then return 0 end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local a, f, payload = string.match(value, '^(%d+)|(%d+)|(.*)$')
redis.call('HDEL', KEYS[2], id)
redis.call('HSET', KEYS[3], id, cjson.encode({
  payload = payload or value, attempts = tonumber(a or '0') + 1, error = ARGV[3],
  firstFailedAt = now, lastFailedAt = now
}))
return 1
