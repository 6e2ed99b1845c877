-- Records a failed attempt: back into delayed with exponential backoff, or into the dead letter.
-- KEYS[1] inflight (zset)  KEYS[2] items (hash)  KEYS[3] delayed (zset)  KEYS[4] dead (hash)
-- ARGV[1] id  ARGV[2] lease deadline  ARGV[3] retries  ARGV[4] timeout ms  ARGV[5] error text
-- Returns 0 if the worker no longer held the item's lease, 1 if scheduled for retry,
-- 2 if dead-lettered.
local id = ARGV[1]
if tonumber(redis.call('ZSCORE', KEYS[1], id)) ~= tonumber(ARGV[2]) then return 0 end
redis.call('ZREM', KEYS[1], id)
local value = redis.call('HGET', KEYS[2], id)
if not value then return 0 end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local a, f, payload = string.match(value, '^(%d+)|(%d+)|(.*)$')
local attempts = tonumber(a) + 1
local first = tonumber(f)
if first == 0 then first = now end
if attempts > tonumber(ARGV[3]) then
  redis.call('HDEL', KEYS[2], id)
  redis.call('HSET', KEYS[4], id, cjson.encode({
    payload = payload, attempts = attempts, error = ARGV[5], firstFailedAt = first, lastFailedAt = now
  }))
  return 2
end
redis.call('HSET', KEYS[2], id, attempts .. '|' .. first .. '|' .. payload)
redis.call('ZADD', KEYS[3], now + tonumber(ARGV[4]) * math.pow(2, attempts - 1), id)
return 1
