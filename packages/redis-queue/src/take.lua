-- Puts due retries and expired leases back in pending, then takes up to N pending items under one
-- lease whose token the worker chose. An expired lease of an item its worker said was running is
-- a stall; past maxStalls stalls the item goes to the dead letter instead of back to pending.
-- KEYS[1] pending (list)  KEYS[2] inflight (zset id -> lease deadline ms)
-- KEYS[3] items (hash id -> "attempts|firstFailMs|payload")  KEYS[4] delayed (zset id -> due ms)
-- KEYS[5] lease (hash id -> [+]token)  KEYS[6] stalls (hash id -> stalls)  KEYS[7] dead (hash)
-- KEYS[8] the worker's replies (hash)  KEYS[9] dedup (hash)  KEYS[10] keyof (hash)
-- ARGV[1] most items  ARGV[2] lease ms  ARGV[3] token  ARGV[4] items the worker starts at once
-- ARGV[5] maxStalls  ARGV[6] replies ttl ms
-- Returns { ids, values, deadline, stalls, stalled, dead } (stalls per id: nil, or the stalls so
-- far; stalled: id, stalls of each taken item whose last lease ended in a stall; dead: id,
-- attempts, error of each item this run dead-lettered for stalls), or {} when nothing is pending
-- and nothing was dead-lettered. Run again with the same token it returns what the first run took
-- and still holds, and takes nothing more; stalled and dead are told once, by the first run.
-- A stalled item's lease field holds '!' until it is taken again: that is how its next taker
-- knows, and no lease token matches it.
--@include includes/server-time.lua
--@include includes/item-header.lua
--@include includes/lease-token.lua
--@include includes/replies.lua
--@include includes/free-keys.lua

local token = ARGV[3]

local function answer(ids, deadline, stalled, dead)
  if #ids == 0 then
    if #dead == 0 then return {} end
    return { {}, {}, 0, {}, {}, dead }
  end
  return {
    ids, redis.call('HMGET', KEYS[3], unpack(ids)), deadline, redis.call('HMGET', KEYS[6], unpack(ids)),
    stalled, dead
  }
end

local prior = replay(KEYS[8], 'take', token)
if prior then
  local ids = {}
  for _, id in ipairs(prior.ids) do
    if lease_state(KEYS[5], KEYS[3], id, token) == LEASE_HELD then ids[#ids + 1] = id end
  end
  return answer(ids, prior.deadline, {}, {})
end

local now = server_time_ms()
local due = redis.call('ZRANGEBYSCORE', KEYS[4], '-inf', now, 'LIMIT', 0, 1000)
if #due > 0 then
  redis.call('ZREM', KEYS[4], unpack(due))
  redis.call('RPUSH', KEYS[1], unpack(due))
end

local dead = {}
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, 1000)
if #expired > 0 then
  redis.call('ZREM', KEYS[2], unpack(expired))
  local held = redis.call('HMGET', KEYS[5], unpack(expired))
  redis.call('HDEL', KEYS[5], unpack(expired))
  local limit = tonumber(ARGV[5])
  local back = {}
  for i, id in ipairs(expired) do
    if held[i] and string.sub(held[i], 1, 1) == '+' then
      local stalls = redis.call('HINCRBY', KEYS[6], id, 1)
      if stalls > limit then
        local value = redis.call('HGET', KEYS[3], id)
        if value then
          local attempts, first, payload = parse_item(value)
          local why = 'stalled its workers ' .. stalls .. ' times (maxStalls ' .. limit ..
            '): its lease ran out while it ran, so its worker died or hung each time'
          write_dead_letter(KEYS[7], id, payload, attempts + 1, first, now, why)
          dead[#dead + 1] = id
          dead[#dead + 1] = attempts + 1
          dead[#dead + 1] = why
          redis.call('HDEL', KEYS[3], id)
          free_keys(KEYS[9], KEYS[10], { id })
        end
        redis.call('HDEL', KEYS[6], id)
      else
        redis.call('HSET', KEYS[5], id, '!')
        back[#back + 1] = id
      end
    else
      -- Ran out while not known to be running: not counted, but its next run is reported to
      -- Redis before it starts, so a crash then is.
      redis.call('HSETNX', KEYS[6], id, 0)
      back[#back + 1] = id
    end
  end
  if #back > 0 then redis.call('LPUSH', KEYS[1], unpack(back)) end
end

local ids = redis.call('LPOP', KEYS[1], tonumber(ARGV[1]))
if not ids then return answer({}, 0, {}, dead) end
local stalled = {}
local before = redis.call('HMGET', KEYS[5], unpack(ids))
for i, id in ipairs(ids) do
  if before[i] == '!' then
    stalled[#stalled + 1] = id
    stalled[#stalled + 1] = redis.call('HGET', KEYS[6], id)
  end
end
local deadline = now + tonumber(ARGV[2])
local scores, tokens = {}, {}
local at_once = tonumber(ARGV[4])
for i, id in ipairs(ids) do
  scores[2 * i - 1] = deadline
  scores[2 * i] = id
  tokens[2 * i - 1] = id
  tokens[2 * i] = (i <= at_once and '+' or '') .. token
end
redis.call('ZADD', KEYS[2], unpack(scores))
redis.call('HSET', KEYS[5], unpack(tokens))
remember(KEYS[8], 'take', token, ARGV[6], { ids = ids, deadline = deadline })
return answer(ids, deadline, stalled, dead)
