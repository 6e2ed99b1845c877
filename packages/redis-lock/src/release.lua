-- Compare-and-delete: removes the lock only while `owner` holds it, so a lock that expired and was
-- taken by someone else is never deleted by its former holder.
--
-- A release leaves a receipt (owner and token, kept for ARGV[3] ms) so that the same release sent
-- again, after its reply was lost and the first one already deleted the lock, answers 1 as the
-- first did rather than "not held". The receipt holds only the group's latest release, and the
-- owner's next acquire deletes it, so it never answers for a later acquire that expired.
--
-- KEYS[1]  lock key     <prefix>:lock:{<group>}
-- KEYS[2]  token key    <prefix>:lock:{<group>}:token
-- KEYS[3]  receipt key  <prefix>:lock:{<group>}:released  hash: owner, token
-- ARGV[1]  owner
-- ARGV[2]  fencing token, or "" for any: a fenced lock also requires that the token is the one it
--          acquired, so an old handle cannot release a newer acquire by the same owner name
-- ARGV[3]  how long the receipt is kept, in milliseconds
--
-- Returns 1 when released (now, or by an earlier identical call whose receipt is still there),
-- 0 when the lock is not held by this owner (never held, expired, taken).

local token = redis.call('GET', KEYS[2])
if redis.call('GET', KEYS[1]) == ARGV[1] and (ARGV[2] == '' or token == ARGV[2]) then
  redis.call('DEL', KEYS[1])
  redis.call('HSET', KEYS[3], 'owner', ARGV[1], 'token', token or '')
  redis.call('PEXPIRE', KEYS[3], ARGV[3])
  return 1
end
local receipt = redis.call('HMGET', KEYS[3], 'owner', 'token')
if receipt[1] == ARGV[1] and (ARGV[2] == '' or receipt[2] == ARGV[2]) then
  return 1
end
return 0
