-- Takes the lock when nobody holds it and draws the next fencing token in the same step, so a
-- token is never handed out without the lock, nor the lock without a token.
--
-- An owner that already holds the lock gets it again: its period starts over and the answer is
-- the token it holds. This makes a re-sent acquire (ioredis sends a command again when its reply
-- was lost) answer as the first one did, with the same token, instead of "held".
--
-- KEYS[1]  lock key     <prefix>:lock:{<group>}           string: the owner, expires after the period (PX)
-- KEYS[2]  token key    <prefix>:lock:{<group>}:token     string counter, no TTL (tokens must never go back)
-- KEYS[3]  receipts key <prefix>:lock:{<group>}:receipts  zset of release receipts (see release.lua)
-- ARGV[1]  owner
-- ARGV[2]  period in milliseconds
--
-- Returns the holder's token (>= 1), or 0 when another owner holds the lock.

if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  -- A new acquire: the owner's unfenced receipt no longer describes its lock, so a later release
  -- of this acquire must not be answered from it. (Fenced receipts name an older token.)
  redis.call('ZREM', KEYS[3], ARGV[1] .. '\n')
  return redis.call('INCR', KEYS[2])
end
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  -- While the lock key exists the token key holds its token; it is missing only if someone
  -- deleted it by hand, and then the holder draws a fresh one.
  return tonumber(redis.call('GET', KEYS[2]) or redis.call('INCR', KEYS[2]))
end
return 0
