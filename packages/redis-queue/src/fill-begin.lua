-- Starts a fill unless the queue has work or another fill is running.
-- KEYS[1] pending  KEYS[2] inflight  KEYS[3] delayed  KEYS[4] filling (string with TTL)
-- ARGV[1] fill token  ARGV[2] marker ttl ms
-- Returns 1 when this fill may write, 0 otherwise.
if redis.call('EXISTS', KEYS[1], KEYS[2], KEYS[3], KEYS[4]) > 0 then return 0 end
redis.call('SET', KEYS[4], ARGV[1], 'PX', ARGV[2])
return 1
