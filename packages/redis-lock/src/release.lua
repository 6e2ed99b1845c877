-- Compare-and-delete: removes the lock only while `owner` holds it, so a lock that expired and was
-- taken by someone else is never deleted by its former holder.
--
-- A release leaves receipts so that the same release sent again, after its reply was lost and the
-- first one already deleted the lock, answers 1 as the first did rather than "not held", however
-- many other owners took and released the lock in between. Each release adds two members to the
-- receipts zset, scored by when they lapse (Redis time + ARGV[3] ms): "<owner>\n<token>" answers a
-- fenced re-send of that acquire's release, "<owner>\n" an unfenced one. The owner's next acquire
-- removes "<owner>\n" (see acquire.lua), so an unfenced receipt never answers for a later acquire
-- that expired; a fenced one cannot, the later acquire has a new token. Lapsed receipts are
-- removed by each release, and only the receipts of the MAX_RELEASES latest releases are kept, so
-- the key stays small on a busy group.
--
-- KEYS[1]  lock key      <prefix>:lock:{<group>}
-- KEYS[2]  token key     <prefix>:lock:{<group>}:token
-- KEYS[3]  receipts key  <prefix>:lock:{<group>}:receipts  zset "<owner>\n[<token>]" -> lapses at ms
-- ARGV[1]  owner
-- ARGV[2]  fencing token, or "" for any: a fenced lock also requires that the token is the one it
--          acquired, so an old handle cannot release a newer acquire by the same owner name
-- ARGV[3]  how long a receipt is kept, in milliseconds
--
-- Returns 1 when released (now, or by an earlier identical call whose receipt is still there),
-- 0 when the lock is not held by this owner (never held, expired, taken).

local MAX_RELEASES = 1000
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local owner = ARGV[1]

local token = redis.call('GET', KEYS[2])
if redis.call('GET', KEYS[1]) == owner and (ARGV[2] == '' or token == ARGV[2]) then
  redis.call('DEL', KEYS[1])
  local lapses = now + tonumber(ARGV[3])
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
  redis.call('ZADD', KEYS[3], lapses, owner .. '\n', lapses, owner .. '\n' .. (token or ''))
  redis.call('ZREMRANGEBYRANK', KEYS[3], 0, -(2 * MAX_RELEASES + 1))
  redis.call('PEXPIRE', KEYS[3], ARGV[3])
  return 1
end
local lapses = redis.call('ZSCORE', KEYS[3], owner .. '\n' .. ARGV[2])
if lapses and tonumber(lapses) > now then
  return 1
end
return 0
