-- ioredis re-sends a command whose reply was lost, so a script that changes state may run twice.
-- Each worker has a replies hash; per kind of call (one in flight at a time per field) it keeps
-- the last call's id and answer, and a re-sent call answers what its first run did.
local function replay(replies_key, field, call_id)
  local prior = redis.call('HGET', replies_key, field)
  if not prior then return nil end
  local cut = string.find(prior, '\n', 1, true)
  if cut and string.sub(prior, 1, cut - 1) == call_id then
    return cjson.decode(string.sub(prior, cut + 1))
  end
  return nil
end

local function remember(replies_key, field, call_id, ttl_ms, answer)
  redis.call('HSET', replies_key, field, call_id .. '\n' .. cjson.encode(answer))
  redis.call('PEXPIRE', replies_key, ttl_ms)
  return answer
end
