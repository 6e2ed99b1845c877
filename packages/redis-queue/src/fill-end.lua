-- Ends a fill: deletes the marker if it is still ours.
-- KEYS[1] filling  ARGV[1] fill token
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
