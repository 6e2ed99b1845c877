-- Starts a fill unless the queue has work or another fill is running. The marker holds the
-- filler's id, so a re-sent call (its reply was lost) finds its own marker and answers 1 again.
-- KEYS[1] pending (list)  KEYS[2] takes (zset)  KEYS[3] delayed (zset)
-- KEYS[4] filling (hash owner -> filler id, batch -> last batch written; with a TTL)
-- ARGV[1] filler id  ARGV[2] marker ttl ms
-- Returns 1 when this filler may write, 0 otherwise (nothing written).
if redis.call('TYPE', KEYS[4]).ok == 'hash' and redis.call('HGET', KEYS[4], 'owner') == ARGV[1] then
  return 1
end
if redis.call('EXISTS', KEYS[1], KEYS[2], KEYS[3], KEYS[4]) > 0 then return 0 end
redis.call('HSET', KEYS[4], 'owner', ARGV[1], 'batch', 0)
redis.call('PEXPIRE', KEYS[4], ARGV[2])
return 1
