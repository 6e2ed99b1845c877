-- Records the outcome of one run (or of a tick whose run crashed) in the job's history.
-- KEYS[1] running  <prefix>:running:{<job>}  hash: run id -> the in-progress run's record
-- KEYS[2] history  <prefix>:history:{<job>}  list: JSON entries, newest first, capped
-- KEYS[3] job      <prefix>:job:{<job>}      hash: last run, per-outcome counts
-- ARGV[1] run id
-- ARGV[2] the history entry (JSON)
-- ARGV[3] history limit (entries kept)
-- ARGV[4] outcome
-- ARGV[5..] field/value pairs of the job's last run (none for a crashed run)
-- The in-progress record is the ticket: the outcome is recorded only by whoever removes it, so a
-- re-send (a lost reply), or a crash check racing the run's own finish, records nothing twice.
-- Returns 1 when recorded, 0 when the run's outcome was recorded already.
if redis.call("HDEL", KEYS[1], ARGV[1]) == 0 then
  return 0
end
redis.call("LPUSH", KEYS[2], ARGV[2])
redis.call("LTRIM", KEYS[2], 0, tonumber(ARGV[3]) - 1)
redis.call("HINCRBY", KEYS[3], "count:" .. ARGV[4], 1)
if #ARGV > 4 then
  redis.call("HSET", KEYS[3], unpack(ARGV, 5))
end
return 1
