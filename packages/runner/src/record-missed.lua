-- Records the ticks a claimer found missed between the job's previous mark and its tick T.
-- KEYS[1] gaps     <prefix>:gaps:{<job>}     sorted set: the T of the latest gaps recorded
-- KEYS[2] history  <prefix>:history:{<job>}  list: JSON entries, newest first, capped
-- KEYS[3] job      <prefix>:job:{<job>}      hash: per-outcome counts
-- ARGV[1] T of the claim that found the gap
-- ARGV[2] history limit
-- ARGV[3] how many ticks were missed (counted)
-- ARGV[4..] the missed ticks' entries (JSON), oldest first
-- Only the claimer of T records its gap, and the gap is keyed by T, so a re-send (a lost reply)
-- records nothing twice. Returns 1 when recorded, 0 when this gap was recorded already.
if redis.call("ZSCORE", KEYS[1], ARGV[1]) then
  return 0
end
redis.call("ZADD", KEYS[1], ARGV[1], ARGV[1])
redis.call("ZREMRANGEBYRANK", KEYS[1], 0, -101)
for i = 4, #ARGV do
  redis.call("LPUSH", KEYS[2], ARGV[i])
end
redis.call("LTRIM", KEYS[2], 0, tonumber(ARGV[2]) - 1)
redis.call("HINCRBY", KEYS[3], "count:missed", tonumber(ARGV[3]))
return 1
