-- Removes finished items, each only while the acking worker's token holds its lease, so a worker
-- that stalled past its lease never deletes an item another worker has taken since.
-- KEYS[1] takes (zset)  KEYS[2] items (hash)  KEYS[3] lease (hash)  KEYS[4] stalls (hash)
-- KEYS[5] the worker's replies (hash)  KEYS[6] dedup (hash)  KEYS[7] keyof (hash)
-- KEYS[8] taken (hash)
-- ARGV[1] call id, "<worker>:ack:<lane>:<n>"  ARGV[2] replies ttl ms
-- ARGV[3..] pairs, one per take: its token, then its ids as one string, separated by spaces
-- A worker keeps a few acks in flight, one per lane; each lane's last answer is kept apart, under
-- the field "ack:<lane>" the call id names (a call id of another form uses the field "ack").
-- Returns one character per item, in the order the pairs name them: 'h' removed (its lease was
-- held), 'l' lease lost, 'm' item missing; one string, which costs the client far less to decode
-- than a number per item. A re-sent call returns the first run's answer.
--@include includes/lease-token.lua
--@include includes/takes.lua
--@include includes/replies.lua
--@include includes/free-keys.lua

local field = string.match(ARGV[1], ':(ack:%d+):%d+$') or 'ack'
local prior = replay_text(KEYS[5], field, ARGV[1])
if prior then return prior end
local codes, mine, counts = lease_states_grouped(KEYS[3], KEYS[2], ARGV, 3)
-- Every item held: the usual answer, without a character per item to build.
local answer = #mine == #codes and string.rep('h', #codes) or states_text(codes)
if #mine > 0 then
  -- Redis does not undo a script's writes when a later command fails: the stall counts go first,
  -- so that a refusal there leaves the items leased, to be acked again.
  if redis.call('EXISTS', KEYS[4]) == 1 then redis.call('HDEL', KEYS[4], unpack(mine)) end
  -- HDEL counts each field once: fewer than named means the call named an id twice, which must
  -- lower its take's count once (the worker never does; a hand-made call might).
  if redis.call('HDEL', KEYS[3], unpack(mine)) < #mine then
    local ids, tokens = grouped_ids(ARGV, 3)
    mine, counts = once_each(ids, tokens, codes)
  end
  -- An item taken straight from pending has no value in items: it lives in its take's record,
  -- which goes with the take. Only queues with items delayed, keyed, retried or given back have
  -- an items hash at all.
  if redis.call('EXISTS', KEYS[2]) == 1 then redis.call('HDEL', KEYS[2], unpack(mine)) end
  forget_taken_counts(KEYS[1], KEYS[8], counts)
  free_keys(KEYS[6], KEYS[7], mine)
  unpin_if_idle(KEYS[1], KEYS[3])
end
remember_text(KEYS[5], field, ARGV[1], ARGV[2], answer)
return answer
