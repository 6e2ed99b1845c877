-- Claims one scheduled fire of a job for one instance.
-- KEYS[1] tick key  <prefix>:tick:{<job>}:<T ms>
-- ARGV[1] instance id (the value: who claimed it)
-- ARGV[2] TTL of the claim in ms (the key is never deleted: it expires)
-- Returns 1 when this instance holds the claim, 0 when another instance has it. Idempotent: a
-- re-send by the instance that won (its reply was lost) answers 1 again and changes nothing.
if redis.call("SET", KEYS[1], ARGV[1], "NX", "PX", ARGV[2]) then
  return 1
end
if redis.call("GET", KEYS[1]) == ARGV[1] then
  return 1
end
return 0
