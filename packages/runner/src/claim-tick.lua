-- Claims one scheduled fire of a job for one instance.
-- KEYS[1] tick key  <prefix>:tick:{<job>}:<T ms>
-- ARGV[1] instance id (stored as the value, for debugging)
-- ARGV[2] TTL of the claim in ms (the key is never deleted: it expires)
-- Returns 1 when this instance claimed the tick, 0 when another instance had it.
if redis.call("SET", KEYS[1], ARGV[1], "NX", "PX", ARGV[2]) then
  return 1
end
return 0
