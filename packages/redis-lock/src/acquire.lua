-- Takes the lock when nobody holds it and draws the next fencing token in the same step, so a
-- token is never handed out without the lock, nor the lock without a token.
--
-- KEYS[1]  lock key   <prefix>:lock:{<group>}        string: the owner, expires after the period (PX)
-- KEYS[2]  token key  <prefix>:lock:{<group>}:token  string counter, no TTL (tokens must never go back)
-- ARGV[1]  owner
-- ARGV[2]  period in milliseconds
--
-- Returns the new token (>= 1), or 0 when the lock is held (by anyone, the same owner included).

if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return redis.call('INCR', KEYS[2])
end
return 0
