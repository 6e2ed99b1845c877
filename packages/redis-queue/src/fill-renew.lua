-- Keeps a running fill's marker alive, if it is still this filler's. Running it twice only sets
-- the same TTL again.
-- KEYS[1] filling (hash)
-- ARGV[1] filler id  ARGV[2] marker ttl ms
-- Returns 1 when renewed, 0 when the marker is gone or another filler's.
if redis.call('TYPE', KEYS[1]).ok == 'hash' and redis.call('HGET', KEYS[1], 'owner') == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
