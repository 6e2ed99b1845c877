-- Floor benchmark: release a lock only when the caller still holds it.
-- KEYS[1] lock key
-- ARGV[1] owner
if redis.call("GET", KEYS[1]) == ARGV[1] then
  return redis.call("DEL", KEYS[1])
end
return 0
