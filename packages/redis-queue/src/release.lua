-- Gives items back to the head of pending, in order, each only while the releasing worker's token
-- holds its lease: items it took and never started, and items whose handler a stop interrupted.
-- Their attempt counts are unchanged.
-- KEYS[1] takes (zset)  KEYS[2] pending (list)  KEYS[3] lease (hash)  KEYS[4] items (hash)
-- KEYS[5] the worker's replies (hash)  KEYS[6] taken (hash)
-- ARGV[1] wake-up channel  ARGV[2] call id  ARGV[3] replies field  ARGV[4] replies ttl ms
-- ARGV[5..] pairs of id, token, in the order they were taken
-- Returns the number of items released; a re-sent call returns the first run's number.
--@include includes/lease-token.lua
--@include includes/takes.lua
--@include includes/replies.lua

local prior = replay(KEYS[5], ARGV[3], ARGV[2])
if prior then return prior[1] end
local states, held, counts = lease_states(KEYS[3], KEYS[4], ARGV, 5, 2)
if #held > 0 then
  -- Back in pending as ids: their values go into items before the records of their takes go.
  local ids, tokens = {}, {}
  for n, state in ipairs(states) do
    if state == LEASE_HELD then
      ids[#ids + 1] = ARGV[3 + 2 * n]
      tokens[#tokens + 1] = ARGV[4 + 2 * n]
    end
  end
  keep_taken_values(KEYS[6], KEYS[4], ids, tokens)
  -- Reversed, so that LPUSH leaves them at the head in the order they were taken.
  local mine = {}
  for i = #held, 1, -1 do mine[#mine + 1] = held[i] end
  redis.call('HDEL', KEYS[3], unpack(mine))
  forget_taken_counts(KEYS[1], KEYS[6], counts)
  unpin_if_idle(KEYS[1], KEYS[3])
  redis.call('LPUSH', KEYS[2], unpack(mine))
  redis.call('PUBLISH', ARGV[1], #mine)
end
return remember(KEYS[5], ARGV[3], ARGV[2], ARGV[4], { #held })[1]
