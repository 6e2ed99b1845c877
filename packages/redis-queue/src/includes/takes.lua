-- A lease belongs to a take, not to an item: the items one take call leased share its token and
-- its deadline. The takes zset scores each live take's token by its lease deadline, so a renewal
-- moves one score per take, and a take moves no zset entry per item. The taken hash holds, per
-- live take, its ids ("<token>" -> "id id ...") and how many of them it still holds
-- ("<token>#"), and in the field "#" how many items all live takes hold: the in-flight count.
-- Tokens are "<uuid>.<n>", so they never end in '#' and never are '#'.

-- Records a take of `ids` (already leased to `token` in the lease hash) until `deadline_text`.
local function record_take(takes_key, taken_key, token, ids, joined, deadline_text)
  redis.call('ZADD', takes_key, deadline_text, token)
  redis.call('HSET', taken_key, token, joined, token .. '#', #ids)
  redis.call('HINCRBY', taken_key, '#', #ids)
end

-- `n` items of take `token` left its hold (acked, failed, given back or lapsed): the take record
-- goes with its last item, and the in-flight count with the last item in flight.
local function forget_taken(takes_key, taken_key, token, n)
  if n == 0 then return end
  if redis.call('HINCRBY', taken_key, token .. '#', -n) <= 0 then
    redis.call('HDEL', taken_key, token, token .. '#')
    redis.call('ZREM', takes_key, token)
  end
  if redis.call('HINCRBY', taken_key, '#', -n) <= 0 then redis.call('HDEL', taken_key, '#') end
end

-- forget_taken for each token of `counts` (token -> items that left its hold).
local function forget_taken_counts(takes_key, taken_key, counts)
  for token, n in pairs(counts) do forget_taken(takes_key, taken_key, token, n) end
end

-- The ids take `token` leased, or an empty table when its record is gone.
local function taken_ids(taken_key, token)
  local ids = {}
  local joined = redis.call('HGET', taken_key, token)
  if joined then
    for id in string.gmatch(joined, '%S+') do ids[#ids + 1] = id end
  end
  return ids
end
