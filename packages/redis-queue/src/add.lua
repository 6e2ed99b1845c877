-- Adds items at any time, to pending or (with a delay) to delayed, skipping each item whose
-- de-duplication key belongs to a live item. Each call carries its sender's call number; its
-- answer is kept in the sender's answers hash until the sender's floor (the lowest number still
-- waiting for a reply) passes it, so a re-sent call (its reply was lost) writes nothing again and
-- answers what the first run did, and the hash holds only the answers still in doubt.
-- KEYS[1] seq (string)  KEYS[2] items (hash)  KEYS[3] pending (list)  KEYS[4] delayed (zset)
-- KEYS[5] dedup (hash key -> id)  KEYS[6] keyof (hash id -> key)
-- KEYS[7] the sender's answers (hash call number -> "added|skipped", floor -> its floor; TTL)
-- ARGV[1] wake-up channel  ARGV[2] how long the answers hash lives unused, ms  ARGV[3] delay ms
-- ARGV[4] 1 when each payload comes after its key, else 0  ARGV[5] call number  ARGV[6] floor
-- ARGV[7..] payloads, or key, payload
-- Returns { added, skipped }.
-- An id is "<sequence number>-<ms>", the Redis time the item became (or becomes) due: stats()
-- reads the age of the head of pending from it.
local answered = redis.call('HGET', KEYS[7], ARGV[5])
if answered then
  local a, s = string.match(answered, '^(%d+)|(%d+)$')
  return { tonumber(a), tonumber(s) }
end
local floor = tonumber(ARGV[6])
local kept = redis.call('HGET', KEYS[7], 'floor')
if kept and floor > tonumber(kept) then
  -- Floors only grow along one connection, so over its life this deletes each answer once.
  local old = {}
  for n = tonumber(kept), floor - 1 do old[#old + 1] = n end
  for i = 1, #old, 1000 do redis.call('HDEL', KEYS[7], unpack(old, i, math.min(i + 999, #old))) end
end
if not kept or floor > tonumber(kept) then redis.call('HSET', KEYS[7], 'floor', floor) end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local delay = tonumber(ARGV[3])
local due = now + delay
local keyed = ARGV[4] == '1'
local step = keyed and 2 or 1
local accepted, keys, seen = {}, {}, {}
local skipped = 0
for i = 7, #ARGV, step do
  if keyed then
    local key = ARGV[i]
    local holder = redis.call('HGET', KEYS[5], key)
    -- A key is live while its item is pending, delayed or in flight, i.e. still in items.
    if seen[key] or (holder and redis.call('HEXISTS', KEYS[2], holder) == 1) then
      skipped = skipped + 1
    else
      seen[key] = true
      if holder then redis.call('HDEL', KEYS[6], holder) end
      accepted[#accepted + 1] = ARGV[i + 1]
      keys[#accepted] = key
    end
  else
    accepted[#accepted + 1] = ARGV[i]
  end
end
local n = #accepted
if n > 0 then
  local last = redis.call('INCRBY', KEYS[1], n)
  local ids, fields, dedup, keyof = {}, {}, {}, {}
  for i = 1, n do
    local id = (last - n + i) .. '-' .. due
    ids[i] = id
    fields[2 * i - 1] = id
    fields[2 * i] = '0|0|' .. accepted[i]
    if keyed then
      dedup[#dedup + 1] = keys[i]
      dedup[#dedup + 1] = id
      keyof[#keyof + 1] = id
      keyof[#keyof + 1] = keys[i]
    end
  end
  redis.call('HSET', KEYS[2], unpack(fields))
  if keyed then
    redis.call('HSET', KEYS[5], unpack(dedup))
    redis.call('HSET', KEYS[6], unpack(keyof))
  end
  if delay > 0 then
    local scored = {}
    for i = 1, n do
      scored[2 * i - 1] = due
      scored[2 * i] = ids[i]
    end
    redis.call('ZADD', KEYS[4], unpack(scored))
  else
    redis.call('RPUSH', KEYS[3], unpack(ids))
    redis.call('PUBLISH', ARGV[1], n)
  end
end
redis.call('HSET', KEYS[7], ARGV[5], n .. '|' .. skipped)
redis.call('PEXPIRE', KEYS[7], ARGV[2])
return { n, skipped }
