-- Ends a fill: deletes the marker if it is this filler's.
-- KEYS[1] filling (hash)
-- ARGV[1] filler id
-- Returns 1 when the fill is over: its marker was deleted now, or is already gone (a re-sent
-- call, or it expired); 0 when another filler holds the marker (left alone).
if redis.call('EXISTS', KEYS[1]) == 0 then return 1 end
if redis.call('TYPE', KEYS[1]).ok == 'hash' and redis.call('HGET', KEYS[1], 'owner') == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
