-- The lease hash holds, for each in-flight item, the token of the take that leased it, with a '+'
-- in front once its worker has said the item is running (only then is an expiry a stall). The
-- token never changes while the lease lives; renewals move the take's deadline (takes.lua).
local LEASE_HELD, LEASE_LOST, ITEM_MISSING = 1, -1, -2

-- Redis keeps a hash of up to hash-max-listpack-entries (512) short fields as a listpack, where
-- every lookup and every insert scans the whole hash: with a few hundred items in flight that was
-- most of a take's and an ack's work. A field longer than hash-max-listpack-value (64 bytes) makes
-- Redis convert the hash to a hash table, which it stays until deleted. This field pins the
-- lease hash as one while anything is in flight, and goes once nothing is (unpin_if_idle).
local LEASE_PIN = '(pins the hash table encoding while items are in flight)' .. string.rep('.', 24)

-- LEASE_HELD when `token` holds the item's lease, LEASE_LOST when someone else holds it or nobody
-- does, ITEM_MISSING when the item is gone (acked or dead-lettered by whoever held it). An item
-- nobody holds is pending or delayed with its value in items: an item taken straight from pending
-- keeps its value in its take's record only while a take holds it (takes.lua).
local function unheld_state(items_key, id, held)
  if held then return LEASE_LOST end
  if redis.call('HEXISTS', items_key, id) == 0 then return ITEM_MISSING end
  return LEASE_LOST
end

local function lease_state(lease_key, items_key, id, token)
  local held = redis.call('HGET', lease_key, id)
  if held == token or held == '+' .. token then return LEASE_HELD end
  return unheld_state(items_key, id, held)
end

-- Appends to `states`, `mine` and `counts` the lease states of `ids`, all leased under `token`
-- (one HMGET). An id named twice is in `mine` twice and counted twice: once_each mends that.
local function add_states(lease_key, items_key, ids, token, states, mine, counts)
  if #ids == 0 then return end
  local held = redis.call('HMGET', lease_key, unpack(ids))
  local plus = '+' .. token
  local n, s, m = 0, #states, #mine
  for i, id in ipairs(ids) do
    local h = held[i]
    if h == token or h == plus then
      states[s + i] = LEASE_HELD
      m = m + 1
      mine[m] = id
      n = n + 1
    else
      states[s + i] = unheld_state(items_key, id, h)
    end
  end
  if n > 0 then counts[token] = (counts[token] or 0) + n end
end

-- `mine` and `counts` again from held `ids` (leased under `tokens[n]`, states `states[n]`), each
-- id once, so a take's count never falls by more than the items that left it.
local function once_each(ids, tokens, states)
  local mine, counts, seen = {}, {}, {}
  for n, id in ipairs(ids) do
    if states[n] == LEASE_HELD and not seen[id] then
      seen[id] = true
      mine[#mine + 1] = id
      counts[tokens[n]] = (counts[tokens[n]] or 0) + 1
    end
  end
  return mine, counts
end

-- lease_state of many items in one lookup: `ids[n]` with token `tokens[n]`. Returns the states
-- in order, the ids held (each once, even when named twice), and how many each token holds of
-- them (token -> count).
local function lease_states_of(lease_key, items_key, ids, tokens)
  local states = {}
  if #ids == 0 then return states, {}, {} end
  local held = redis.call('HMGET', lease_key, unpack(ids))
  -- '+' .. token once per token, not per item: the items of one take share theirs.
  local running = {}
  for n, id in ipairs(ids) do
    local token, h = tokens[n], held[n]
    local plus = running[token]
    if not plus then
      plus = '+' .. token
      running[token] = plus
    end
    if h == token or h == plus then
      states[n] = LEASE_HELD
    else
      states[n] = unheld_state(items_key, id, h)
    end
  end
  local mine, counts = once_each(ids, tokens, states)
  return states, mine, counts
end

-- lease_states_of for `args` holding `stride` values per item from `from` on, the id first and
-- its token second.
local function lease_states(lease_key, items_key, args, from, stride)
  local ids, tokens = {}, {}
  for i = from, #args, stride do
    ids[#ids + 1] = args[i]
    tokens[#tokens + 1] = args[i + 1]
  end
  return lease_states_of(lease_key, items_key, ids, tokens)
end

-- The ids and tokens `args` names from `from` on, in pairs: a token, then the ids it leased as one
-- string, separated by spaces. The items of one take share a token, so a call names it once per
-- take; one string of ids costs the client far less to send than an argument per id.
local function grouped_ids(args, from)
  local ids, tokens = {}, {}
  for i = from, #args, 2 do
    for id in string.gmatch(args[i + 1], '%S+') do
      ids[#ids + 1] = id
      tokens[#tokens + 1] = args[i]
    end
  end
  return ids, tokens
end

-- Lease states of the items `args` names in pairs from `from` on (see grouped_ids), one HMGET per
-- take. `mine` and `counts` may name an id twice when the call did: the caller checks (see
-- ack.lua) and mends it with once_each.
local function lease_states_grouped(lease_key, items_key, args, from)
  local states, mine, counts = {}, {}, {}
  for i = from, #args, 2 do
    local ids = {}
    for id in string.gmatch(args[i + 1], '%S+') do ids[#ids + 1] = id end
    add_states(lease_key, items_key, ids, args[i], states, mine, counts)
  end
  return states, mine, counts
end

-- Drops the pin once nothing is in flight, so an idle queue leaves no lease hash behind.
local function unpin_if_idle(takes_key, lease_key)
  if redis.call('ZCARD', takes_key) == 0 then redis.call('HDEL', lease_key, LEASE_PIN) end
end

-- Lease states as one character each, as ack answers them and a replies hash keeps them.
local STATE_CHAR = { [LEASE_HELD] = 'h', [LEASE_LOST] = 'l', [ITEM_MISSING] = 'm' }

local function states_text(states)
  local chars = {}
  for i, state in ipairs(states) do chars[i] = STATE_CHAR[state] end
  return table.concat(chars)
end
