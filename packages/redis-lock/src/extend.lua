-- Resets the lock's expiry to `period` from now (Redis' clock), only while `owner` holds it: an
-- expired lock is never revived, and someone else's lock is never touched. Running it twice (a
-- re-send after a lost reply) answers the same and only moves the expiry a little later.
--
-- KEYS[1]  lock key   <prefix>:lock:{<group>}
-- KEYS[2]  token key  <prefix>:lock:{<group>}:token
-- ARGV[1]  owner
-- ARGV[2]  period in milliseconds
-- ARGV[3]  fencing token, or "" for any (see release.lua)
--
-- Returns 1 when extended, 0 when the lock is not held by this owner.

if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return 0
end
if ARGV[3] ~= '' and redis.call('GET', KEYS[2]) ~= ARGV[3] then
  return 0
end
return redis.call('PEXPIRE', KEYS[1], ARGV[2])
