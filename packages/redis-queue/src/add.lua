-- Adds items at any time, each to pending or (with a delay) to delayed, skipping each item whose
-- de-duplication key belongs to a live item. An item due now and without a key goes to pending as
-- one entry, its id and value (see take.lua); any other item's value goes to items. A sender's
-- lane has one call in flight at a time and numbers its calls; the answer of its last call is
-- kept under the lane's key, so a call re-sent after a lost reply writes nothing again and
-- answers what the first run did.
-- KEYS[1] seq (string)  KEYS[2] items (hash)  KEYS[3] pending (list)  KEYS[4] delayed (zset)
-- KEYS[5] dedup (hash key -> id)  KEYS[6] keyof (hash id -> key)
-- KEYS[7] the lane's last answer (string "<call number>|<answer>")
-- ARGV[1] wake-up channel  ARGV[2] how long the answer is kept, ms  ARGV[3] call number
-- ARGV[4..] groups, one per add call: delay ms (0: none), item count n, 1 when keyed else 0,
-- then n stored values ("0|0|<encoded payload>", see item-header.lua), or n pairs of
-- de-duplication key, stored value
-- Returns one character per item, in order: '1' added, '0' skipped (its key is live).
-- An id is "<sequence number>-<ms>", the Redis time the item became (or becomes) due: stats()
-- reads the age of the head of pending from it.
--@include includes/server-time.lua
--@include includes/sequence-ids.lua

local prior = redis.call('GET', KEYS[7])
if prior then
  local call, answer = string.match(prior, '^(%d+)|(.*)$')
  if call == ARGV[3] then return answer end
end
local now = server_time_ms()
-- Counters instead of #t: the length operator searches the table each time.
local statuses, ns = {}, 0
local values, keys, delays, n = {}, {}, {}, 0
local seen = {}
local i = 4
while i <= #ARGV do
  local delay, count = tonumber(ARGV[i]), tonumber(ARGV[i + 1])
  if ARGV[i + 2] ~= '1' then
    -- Without keys every item is added: no lookups, one status string for the group.
    for j = i + 3, i + 2 + count do
      n = n + 1
      values[n] = ARGV[j]
      delays[n] = delay
    end
    ns = ns + 1
    statuses[ns] = string.rep('1', count)
    i = i + 3 + count
  else
    i = i + 3
    for _ = 1, count do
      local key, value = ARGV[i], ARGV[i + 1]
      i = i + 2
      local holder = redis.call('HGET', KEYS[5], key)
      -- A key is live while its item is pending, delayed or in flight, i.e. still in items.
      ns = ns + 1
      if seen[key] or (holder and redis.call('HEXISTS', KEYS[2], holder) == 1) then
        statuses[ns] = '0'
      else
        seen[key] = true
        if holder then redis.call('HDEL', KEYS[6], holder) end
        statuses[ns] = '1'
        n = n + 1
        values[n] = value
        keys[n] = key
        delays[n] = delay
      end
    end
  end
end
if n > 0 then
  local first = redis.call('INCRBY', KEYS[1], n) - n
  local fields, dedup, keyof, scored, ready = {}, {}, {}, {}, {}
  local nf, nd, nsc, nr = 0, 0, 0, 0
  -- "-<due>" once per delay, not once per item: number to text is the costly part of an id.
  local suffixes = {}
  for j = 1, n do
    local delay = delays[j]
    local suffix = suffixes[delay]
    if not suffix then
      suffix = '-' .. (now + delay)
      suffixes[delay] = suffix
    end
    local id = seq_id(first + j, suffix)
    local key = keys[j]
    if delay == 0 and not key then
      -- Due now and without a key: the value travels in pending with the id, and the item
      -- touches items only if it is given back or retried.
      nr = nr + 1
      ready[nr] = id .. ' ' .. values[j]
    else
      -- A key is live while its item is in items; a delayed item waits there for its time.
      fields[nf + 1] = id
      fields[nf + 2] = values[j]
      nf = nf + 2
      if key then
        dedup[nd + 1] = key
        dedup[nd + 2] = id
        keyof[nd + 1] = id
        keyof[nd + 2] = key
        nd = nd + 2
      end
      if delay > 0 then
        scored[nsc + 1] = now + delay
        scored[nsc + 2] = id
        nsc = nsc + 2
      else
        nr = nr + 1
        ready[nr] = id
      end
    end
  end
  if nf > 0 then redis.call('HSET', KEYS[2], unpack(fields)) end
  if nd > 0 then
    redis.call('HSET', KEYS[5], unpack(dedup))
    redis.call('HSET', KEYS[6], unpack(keyof))
  end
  if nsc > 0 then redis.call('ZADD', KEYS[4], unpack(scored)) end
  if nr > 0 then
    redis.call('RPUSH', KEYS[3], unpack(ready))
    redis.call('PUBLISH', ARGV[1], nr)
  end
end
local answer = table.concat(statuses)
redis.call('SET', KEYS[7], ARGV[3] .. '|' .. answer, 'PX', ARGV[2])
return answer
