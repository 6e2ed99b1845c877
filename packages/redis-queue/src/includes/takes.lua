-- A lease belongs to a take, not to an item: the items one take call leased share its token and
-- its deadline. The takes zset scores each live take's token by its lease deadline, so a renewal
-- moves one score per take, and a take moves no zset entry per item. The taken hash holds, per
-- live take, its entries ("<token>" -> entries, see below) and how many of its items it still
-- holds ("<token>#"), and in the field "#" how many items all live takes hold: the in-flight count.
-- Tokens are "<uuid>.<n>", so they never end in '#' and never are '#'.
--
-- An entry is "<id> <stored value>" (see item-header.lua), or "<id>" alone when the item's value
-- was missing: what the take answered for the item. A take's record keeps its entries separated
-- by NUL bytes, or, when an entry holds a NUL itself, as a JSON array (it starts with '[', an
-- entry never does: ids are digits and '-'). The record is where the value of an item taken
-- straight from pending lives while it is in flight: such an item is in no items hash.

-- The entries as one string separated by NUL bytes when that can be split back, else nil. The
-- NULs are counted with plain finds, which cost a small part of a pattern scan over the text.
local function nul_joined(entries)
  local text = table.concat(entries, '\0')
  local find, at, parts = string.find, 0, 0
  repeat
    at = find(text, '\0', at + 1, true)
    parts = parts + 1
  until not at
  if parts ~= #entries then return nil end
  return text
end

-- The id and stored value of an entry (the value nil when it was missing).
local function entry_parts(entry)
  local cut = string.find(entry, ' ', 1, true)
  if not cut then return entry, nil end
  return string.sub(entry, 1, cut - 1), string.sub(entry, cut + 1)
end

-- Records a take of `n` items (already leased to `token` in the lease hash) until
-- `deadline_text`; `record` is its entries, as nul_joined or JSON.
local function record_take(takes_key, taken_key, token, n, record, deadline_text)
  redis.call('ZADD', takes_key, deadline_text, token)
  redis.call('HSET', taken_key, token, record, token .. '#', n)
  redis.call('HINCRBY', taken_key, '#', n)
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

-- The entries take `token` recorded, or an empty table when its record is gone.
local function taken_entries(taken_key, token)
  local record = redis.call('HGET', taken_key, token)
  if not record then return {} end
  if string.sub(record, 1, 1) == '[' then return cjson.decode(record) end
  local entries = {}
  for entry in string.gmatch(record, '[^%z]+') do entries[#entries + 1] = entry end
  return entries
end

-- The ids take `token` recorded and their stored values (nil where missing), in order.
local function taken_items(taken_key, token)
  local ids, values = {}, {}
  for n, entry in ipairs(taken_entries(taken_key, token)) do ids[n], values[n] = entry_parts(entry) end
  return ids, values
end

-- The stored value take `token` recorded for `id`, or nil.
local function taken_value(taken_key, token, id)
  local ids, values = taken_items(taken_key, token)
  for n, entry_id in ipairs(ids) do
    if entry_id == id then return values[n] end
  end
  return nil
end

-- Writes into the items hash the recorded values of `ids` (each leased under `tokens[n]`), so that
-- items leaving their take other than by ending (given back, lapsed) are found there like any
-- item that was given back. Call it before the takes' records go.
local function keep_taken_values(taken_key, items_key, ids, tokens)
  local recorded, fields = {}, {}
  for n, id in ipairs(ids) do
    local token = tokens[n]
    local values = recorded[token]
    if not values then
      values = {}
      local taken_ids, taken_values = taken_items(taken_key, token)
      for i, taken_id in ipairs(taken_ids) do values[taken_id] = taken_values[i] end
      recorded[token] = values
    end
    local value = values[id]
    if value then
      fields[#fields + 1] = id
      fields[#fields + 1] = value
    end
  end
  if #fields > 0 then redis.call('HSET', items_key, unpack(fields)) end
end
