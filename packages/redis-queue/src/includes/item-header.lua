-- An item's stored value is "attempts|first failure ms|payload"; attempts counts failed runs.
local function parse_item(value)
  local attempts, first, payload = string.match(value, '^(%d+)|(%d+)|(.*)$')
  if not attempts then return 0, 0, value end
  return tonumber(attempts), tonumber(first), payload
end

-- Writes a dead letter in the JSON form deadLetters() reads.
local function write_dead_letter(dead_key, id, payload, attempts, first, now, error_text)
  if first == 0 then first = now end
  redis.call('HSET', dead_key, id, cjson.encode({
    payload = payload, attempts = attempts, error = error_text, firstFailedAt = first, lastFailedAt = now
  }))
end
