-- ioredis re-sends a command whose reply was lost, so a script that changes state may run twice.
-- Each worker has a replies hash; per kind of call (one in flight at a time per field) it keeps
-- the last call's id and answer, and a re-sent call answers what its first run did.

-- The text the call `call_id` remembered under `field`, or nil when it is not a re-sent call.
local function replay_text(replies_key, field, call_id)
  local prior = redis.call('HGET', replies_key, field)
  if not prior then return nil end
  local cut = string.find(prior, '\n', 1, true)
  if cut and string.sub(prior, 1, cut - 1) == call_id then return string.sub(prior, cut + 1) end
  return nil
end

local function replay(replies_key, field, call_id)
  local text = replay_text(replies_key, field, call_id)
  if text then return cjson.decode(text) end
  return nil
end

local function remember_text(replies_key, field, call_id, ttl_ms, text)
  redis.call('HSET', replies_key, field, call_id .. '\n' .. text)
  redis.call('PEXPIRE', replies_key, ttl_ms)
end

local function remember(replies_key, field, call_id, ttl_ms, answer)
  remember_text(replies_key, field, call_id, ttl_ms, cjson.encode(answer))
  return answer
end
