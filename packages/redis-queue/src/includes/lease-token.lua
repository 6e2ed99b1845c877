-- The lease hash holds, for each in-flight item, the token of the take that leased it, with a '+'
-- in front once its worker has said the item is running (only then is an expiry a stall). The
-- token never changes while the lease lives; renewals move the deadline in the inflight zset.
local LEASE_HELD, LEASE_LOST, ITEM_MISSING = 1, -1, -2

-- Redis keeps a hash of up to hash-max-listpack-entries (512) short fields as a listpack, where
-- every lookup and every insert scans the whole hash: with a few hundred items in flight that was
-- most of a take's and an ack's work. A field longer than hash-max-listpack-value (64 bytes) makes
-- Redis convert the hash to a hash table, which it stays until deleted. This field pins the
-- lease hash as one while anything is in flight, and goes once nothing is (unpin_if_idle).
local LEASE_PIN = '(pins the hash table encoding while items are in flight)' .. string.rep('.', 24)

-- LEASE_HELD when `token` holds the item's lease, ITEM_MISSING when the item is gone (acked or
-- dead-lettered by whoever held it), LEASE_LOST when someone else holds it or nobody does.
local function lease_state(lease_key, items_key, id, token)
  local held = redis.call('HGET', lease_key, id)
  if held == token or held == '+' .. token then return LEASE_HELD end
  if redis.call('HEXISTS', items_key, id) == 0 then return ITEM_MISSING end
  return LEASE_LOST
end

-- lease_state of many items in one lookup: `args` holds `stride` values per item from `from` on,
-- the id first and its token second. Returns the states in order, and the ids held.
local function lease_states(lease_key, items_key, args, from, stride)
  local ids = {}
  for i = from, #args, stride do ids[#ids + 1] = args[i] end
  local states, mine = {}, {}
  if #ids == 0 then return states, mine end
  local held = redis.call('HMGET', lease_key, unpack(ids))
  -- '+' .. token once per token, not per item: the items of one take share theirs.
  local running = {}
  for n, id in ipairs(ids) do
    local token = args[from + (n - 1) * stride + 1]
    local h = held[n]
    local plus = running[token]
    if not plus then
      plus = '+' .. token
      running[token] = plus
    end
    local state
    if h and (h == token or h == plus) then
      state = LEASE_HELD
      mine[#mine + 1] = id
    elseif redis.call('HEXISTS', items_key, id) == 0 then
      state = ITEM_MISSING
    else
      state = LEASE_LOST
    end
    states[n] = state
  end
  return states, mine
end

-- Drops the pin once nothing is in flight, so an idle queue leaves no lease hash behind.
local function unpin_if_idle(inflight_key, lease_key)
  if redis.call('ZCARD', inflight_key) == 0 then redis.call('HDEL', lease_key, LEASE_PIN) end
end

-- Lease states as one character each, as ack answers them and a replies hash keeps them.
local STATE_CHAR = { [LEASE_HELD] = 'h', [LEASE_LOST] = 'l', [ITEM_MISSING] = 'm' }

local function states_text(states)
  local chars = {}
  for i, state in ipairs(states) do chars[i] = STATE_CHAR[state] end
  return table.concat(chars)
end
