-- Frees the de-duplication keys of items that leave the queue, each only while the key still
-- names that item (a later add may have taken it since).
-- free_keys(dedup hash, keyof hash, ids)
local function free_keys(dedup, keyof, ids)
  -- Most queues never use keys: one lookup instead of two calls naming every id.
  if #ids == 0 or redis.call('EXISTS', keyof) == 0 then return end
  local keys = redis.call('HMGET', keyof, unpack(ids))
  local owned = {}
  for i, key in ipairs(keys) do
    if key and redis.call('HGET', dedup, key) == ids[i] then owned[#owned + 1] = key end
  end
  if #owned > 0 then redis.call('HDEL', dedup, unpack(owned)) end
  redis.call('HDEL', keyof, unpack(ids))
end
