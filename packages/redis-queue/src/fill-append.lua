-- Appends one numbered batch of encoded items for the filler holding the marker, and renews the
-- marker. A batch whose number was already written (a re-sent call) is not written again.
-- KEYS[1] filling (hash)  KEYS[2] seq (string)  KEYS[3] items (hash)  KEYS[4] pending (list)
-- ARGV[1] filler id  ARGV[2] marker ttl ms  ARGV[3] wake-up channel  ARGV[4] batch number (1, 2, …)
-- ARGV[5..] encoded payloads
-- Returns 1 when the batch is written (now or by an earlier run of this call), 0 when the marker
-- is not this filler's any more (nothing written).
--@include includes/sequence-ids.lua

if redis.call('TYPE', KEYS[1]).ok ~= 'hash' then return 0 end
local marker = redis.call('HMGET', KEYS[1], 'owner', 'batch')
if marker[1] ~= ARGV[1] then return 0 end
local batch = tonumber(ARGV[4])
if batch > tonumber(marker[2]) then
  local n = #ARGV - 4
  if n > 0 then
    local last = redis.call('INCRBY', KEYS[2], n)
    -- Each value travels in pending with its id (see take.lua).
    local entries = {}
    for i = 1, n do entries[i] = seq_id(last - n + i, ' 0|0|') .. ARGV[i + 4] end
    redis.call('RPUSH', KEYS[4], unpack(entries))
    redis.call('PUBLISH', ARGV[3], n)
  end
  redis.call('HSET', KEYS[1], 'batch', batch)
end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
