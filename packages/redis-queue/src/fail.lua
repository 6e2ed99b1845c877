-- Records a failed attempt: back into delayed after its backoff, or into the dead letter.
-- KEYS[1] takes (zset)  KEYS[2] items (hash)  KEYS[3] delayed (zset)  KEYS[4] dead (hash)
-- KEYS[5] lease (hash)  KEYS[6] stalls (hash)  KEYS[7] the worker's replies (hash)
-- KEYS[8] dedup (hash)  KEYS[9] keyof (hash)  KEYS[10] taken (hash)
-- ARGV[1] id  ARGV[2] token  ARGV[3] retries  ARGV[4] first backoff ms  ARGV[5] error text
-- ARGV[6] call id  ARGV[7] replies field  ARGV[8] replies ttl ms
-- ARGV[9] backoff type ('exponential' | 'fixed')  ARGV[10] longest backoff ms (0: no cap)
-- ARGV[11] jitter draw from [0, 1), or -1 for no jitter
-- Returns 1 scheduled for retry, 2 dead-lettered, -1 lease lost, -2 item missing. A re-sent call
-- returns the first run's answer.
--@include includes/server-time.lua
--@include includes/item-header.lua
--@include includes/lease-token.lua
--@include includes/takes.lua
--@include includes/replies.lua
--@include includes/free-keys.lua

local prior = replay(KEYS[7], ARGV[7], ARGV[6])
if prior then return prior[1] end
local id = ARGV[1]
local state = lease_state(KEYS[5], KEYS[2], id, ARGV[2])
if state ~= LEASE_HELD then return remember(KEYS[7], ARGV[7], ARGV[6], ARGV[8], { state })[1] end
local now = server_time_ms()
local value = redis.call('HGET', KEYS[2], id) or taken_value(KEYS[10], ARGV[2], id)
if not value then return remember(KEYS[7], ARGV[7], ARGV[6], ARGV[8], { ITEM_MISSING })[1] end
local attempts, first, payload = parse_item(value)
attempts = attempts + 1
if first == 0 then first = now end
redis.call('HDEL', KEYS[5], id)
forget_taken(KEYS[1], KEYS[10], ARGV[2], 1)
unpin_if_idle(KEYS[1], KEYS[5])
local outcome
if attempts > tonumber(ARGV[3]) then
  redis.call('HDEL', KEYS[2], id)
  redis.call('HDEL', KEYS[6], id)
  write_dead_letter(KEYS[4], id, payload, attempts, first, now, ARGV[5])
  free_keys(KEYS[8], KEYS[9], { id })
  outcome = 2
else
  redis.call('HSET', KEYS[2], id, attempts .. '|' .. first .. '|' .. payload)
  -- Backoff: exponential doubles the first wait per failure, fixed keeps it; then the cap, then
  -- full jitter (a uniform draw from 0 to the wait, the draw sent by the worker so that a
  -- re-sent call computes the same time).
  local wait = tonumber(ARGV[4])
  if ARGV[9] ~= 'fixed' then wait = wait * math.pow(2, attempts - 1) end
  local cap = tonumber(ARGV[10])
  if cap > 0 and wait > cap then wait = cap end
  local draw = tonumber(ARGV[11])
  if draw >= 0 then wait = math.floor(wait * draw) end
  redis.call('ZADD', KEYS[3], now + wait, id)
  outcome = 1
end
return remember(KEYS[7], ARGV[7], ARGV[6], ARGV[8], { outcome })[1]
