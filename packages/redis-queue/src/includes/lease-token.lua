-- The lease hash holds, for each in-flight item, the token of the take that leased it, with a '+'
-- in front once its worker has said the item is running (only then is an expiry a stall). The
-- token never changes while the lease lives; renewals move the deadline in the inflight zset.
local LEASE_HELD, LEASE_LOST, ITEM_MISSING = 1, -1, -2

-- LEASE_HELD when `token` holds the item's lease, ITEM_MISSING when the item is gone (acked or
-- dead-lettered by whoever held it), LEASE_LOST when someone else holds it or nobody does.
local function lease_state(lease_key, items_key, id, token)
  local held = redis.call('HGET', lease_key, id)
  if held == token or held == '+' .. token then return LEASE_HELD end
  if redis.call('HEXISTS', items_key, id) == 0 then return ITEM_MISSING end
  return LEASE_LOST
end
