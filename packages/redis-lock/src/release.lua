-- Compare-and-delete: removes the lock only while `owner` holds it, so a lock that expired and was
-- taken by someone else is never deleted by its former holder.
--
-- KEYS[1]  lock key   <prefix>:lock:{<group>}
-- KEYS[2]  token key  <prefix>:lock:{<group>}:token
-- ARGV[1]  owner
-- ARGV[2]  fencing token, or "" for any: a fenced lock also requires that the token is still the
--          current one, so an old handle cannot release a newer acquire by the same owner name
--
-- Returns 1 when released, 0 when the lock is not held by this owner (expired, taken, released).

if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return 0
end
if ARGV[2] ~= '' and redis.call('GET', KEYS[2]) ~= ARGV[2] then
  return 0
end
return redis.call('DEL', KEYS[1])
