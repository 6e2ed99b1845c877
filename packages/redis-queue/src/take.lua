-- Puts due retries and expired leases back in pending, then takes up to N pending items under one
-- lease whose token the worker chose. An expired lease of an item its worker said was running is
-- a stall; past maxStalls stalls the item goes to the dead letter instead of back to pending.
-- KEYS[1] pending (list of entries: "<id> <stored value>" for an item added or filled and not
--         taken yet, "<id>" for one whose value is in items)
-- KEYS[2] takes (zset token -> lease deadline ms)
-- KEYS[3] items (hash id -> "attempts|firstFailMs|payload")  KEYS[4] delayed (zset id -> due ms)
-- KEYS[5] lease (hash id -> [+]token)  KEYS[6] stalls (hash id -> stalls)  KEYS[7] dead (hash)
-- KEYS[8] the worker's replies (hash)  KEYS[9] dedup (hash)  KEYS[10] keyof (hash)
-- KEYS[11] taken (hash: token -> its entries, token# -> how many it holds, # -> items in flight)
-- ARGV[1] most items  ARGV[2] lease ms  ARGV[3] token  ARGV[4] items the worker starts at once
-- ARGV[5] maxStalls  ARGV[6] replies ttl ms
-- ARGV[7] the take lane's field in the replies hash, "take:<lane>": a worker keeps a few takes in
--         flight, one per lane, and each lane's last answer is kept apart (absent: "take")
-- Returns { entries, deadline, stalls, stalled, dead } (entries: "<id> <stored value>" per item,
-- "<id>" alone when its value is missing, as one string separated by NUL bytes, or when an entry
-- holds a NUL itself, one element per item; stalls per item: nil, or the stalls so far; stalled:
-- id, stalls of each taken item whose last lease ended in a stall; dead: id, attempts, error of
-- each item this run dead-lettered for stalls), or {} when nothing is pending and nothing was
-- dead-lettered. Run again with the same token it returns what the first run took and still
-- holds, and takes nothing more; stalled and dead are told once, by the first run.
-- A stalled item's lease field holds '!' until it is taken again: that is how its next taker
-- knows, and no lease token matches it.
--@include includes/server-time.lua
--@include includes/item-header.lua
--@include includes/lease-token.lua
--@include includes/takes.lua
--@include includes/replies.lua
--@include includes/free-keys.lua

local token = ARGV[3]
local field = ARGV[7] or 'take'

-- The answer for items `ids` taken as `entries` (see takes.lua); `text` is the entries joined
-- when the caller has them (nil: they could not be).
local function answer(ids, entries, text, deadline, stalled, dead)
  if #ids == 0 then
    if #dead == 0 then return {} end
    return { '', 0, {}, {}, dead }
  end
  -- Stall counts exist only for items whose lease ran out: usually none at all.
  local stalls = {}
  if redis.call('EXISTS', KEYS[6]) == 1 then stalls = redis.call('HMGET', KEYS[6], unpack(ids)) end
  return { text or entries, deadline, stalls, stalled, dead }
end

-- Remembered as the take's deadline; its entries are in its record.
local prior = replay_text(KEYS[8], field, token)
if prior then
  local ids, tokens, entries = {}, {}, {}
  for n, entry in ipairs(taken_entries(KEYS[11], token)) do
    ids[n] = entry_parts(entry)
    tokens[n] = token
    entries[n] = entry
  end
  local states = lease_states_of(KEYS[5], KEYS[3], ids, tokens)
  local held_ids, held = {}, {}
  for n, state in ipairs(states) do
    if state == LEASE_HELD then
      held_ids[#held_ids + 1] = ids[n]
      held[#held + 1] = entries[n]
    end
  end
  return answer(held_ids, held, nul_joined(held), tonumber(prior), {}, {})
end

local now = server_time_ms()
local due = redis.call('ZRANGEBYSCORE', KEYS[4], '-inf', now, 'LIMIT', 0, 1000)
if #due > 0 then
  redis.call('ZREM', KEYS[4], unpack(due))
  redis.call('RPUSH', KEYS[1], unpack(due))
end

-- Takes whose lease ran out: each gives back the items it still holds. A run ends takes until it
-- has 1,000 items back (a take holds up to 1,000), so it stays short however many workers died;
-- the next run goes on.
local dead = {}
local lapsed = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, 10)
local expired, held = {}, {}
for _, lapsed_token in ipairs(lapsed) do
  if #expired >= 1000 then break end
  local ids, values = taken_items(KEYS[11], lapsed_token)
  if #ids > 0 then
    local leases = redis.call('HMGET', KEYS[5], unpack(ids))
    local running = '+' .. lapsed_token
    -- The values go into items: an item taken straight from pending had them only in the record.
    local fields = {}
    for n, id in ipairs(ids) do
      if leases[n] == lapsed_token or leases[n] == running then
        expired[#expired + 1] = id
        held[#held + 1] = leases[n]
        if values[n] then
          fields[#fields + 1] = id
          fields[#fields + 1] = values[n]
        end
      end
    end
    if #fields > 0 then redis.call('HSET', KEYS[3], unpack(fields)) end
  end
  -- The record goes with all it still counts: nothing of this take is held any more.
  local left = tonumber(redis.call('HGET', KEYS[11], lapsed_token .. '#') or '0')
  redis.call('HDEL', KEYS[11], lapsed_token, lapsed_token .. '#')
  redis.call('ZREM', KEYS[2], lapsed_token)
  if left > 0 and redis.call('HINCRBY', KEYS[11], '#', -left) <= 0 then redis.call('HDEL', KEYS[11], '#') end
end
if #expired > 0 then
  redis.call('HDEL', KEYS[5], unpack(expired))
  local limit = tonumber(ARGV[5])
  local back = {}
  for i, id in ipairs(expired) do
    if string.sub(held[i], 1, 1) == '+' then
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
if #lapsed > 0 then unpin_if_idle(KEYS[2], KEYS[5]) end

local entries = redis.call('LPOP', KEYS[1], tonumber(ARGV[1]))
if not entries then return answer({}, {}, nil, 0, {}, dead) end
-- An entry with a value came from add or fill; one without is an id whose value is in items.
local ids, bare = {}, nil
local find, sub = string.find, string.sub
for i, entry in ipairs(entries) do
  local cut = find(entry, ' ', 1, true)
  if cut then
    ids[i] = sub(entry, 1, cut - 1)
  else
    ids[i] = entry
    bare = bare or {}
    bare[#bare + 1] = i
  end
end
if bare then
  local bare_ids = {}
  for j, i in ipairs(bare) do bare_ids[j] = ids[i] end
  local values = redis.call('HMGET', KEYS[3], unpack(bare_ids))
  for j, i in ipairs(bare) do
    if values[j] then entries[i] = ids[i] .. ' ' .. values[j] end
  end
end
local stalled = {}
-- A '!' is written only beside a stall count, so without stall counts there is none to look for.
if redis.call('EXISTS', KEYS[6]) == 1 then
  local before = redis.call('HMGET', KEYS[5], unpack(ids))
  for i, id in ipairs(ids) do
    if before[i] == '!' then
      stalled[#stalled + 1] = id
      stalled[#stalled + 1] = redis.call('HGET', KEYS[6], id)
    end
  end
end
local deadline = now + tonumber(ARGV[2])
-- Formatted once: Redis would format the Lua number again for every item.
local deadline_text = tostring(deadline)
local tokens = { LEASE_PIN, '' }
local at_once = tonumber(ARGV[4])
local running = '+' .. token
for i, id in ipairs(ids) do
  tokens[2 * i + 1] = id
  tokens[2 * i + 2] = i <= at_once and running or token
end
redis.call('HSET', KEYS[5], unpack(tokens))
local text = nul_joined(entries)
record_take(KEYS[2], KEYS[11], token, #ids, text or cjson.encode(entries), deadline_text)
remember_text(KEYS[8], field, token, ARGV[6], deadline_text)
return answer(ids, entries, text, deadline, stalled, dead)
