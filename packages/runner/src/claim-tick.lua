-- Claims one scheduled fire T of a job by advancing the job's high-water mark.
-- KEYS[1] mark   <prefix>:mark:{<job>}  hash: T (latest claimed tick, ms), instance, prev
-- KEYS[2] tick   <prefix>:tick:{<job>}:<T ms>  the claimer of T, kept for ARGV[3] ms
-- KEYS[3] running <prefix>:running:{<job>}  hash: run id -> record of the run in progress
-- ARGV[1] T (ms)
-- ARGV[2] instance id
-- ARGV[3] how long the per-tick claim record lives, in ms
-- ARGV[4] run id (also the owner of its run lease)
-- ARGV[5] the in-progress record (JSON), written with the claim so that a claimer that dies at
--         any point after it leaves a record behind for the crash check
-- ARGV[6] "1" when taking a missed or crashed tick to run late (KEYS[1] is then the job's
--         catch-up mark): refused while another late run of the job is in progress, so late
--         runs go one at a time, oldest first, across instances
-- T is claimed iff it is later than the mark: a tick at or before the mark was claimed already
-- (or passed while a later one was claimed), however long ago, so a lagging clock cannot re-run
-- it. Returns {1, prev} to the claimer, prev being the mark before its claim ("" when the job had
-- none), or {0, mark}. Idempotent: a re-send by the claimer (its reply was lost) finds T at the
-- mark with its own instance and answers {1, prev} again, changing nothing.
local mark = redis.call("HMGET", KEYS[1], "T", "instance", "prev")
local T = tonumber(ARGV[1])
local markT = tonumber(mark[1])
if markT == nil or T > markT then
  if ARGV[6] == "1" then
    for _, record in ipairs(redis.call("HVALS", KEYS[3])) do
      if string.find(record, '"trigger":"catch-up"', 1, true) then
        return {0, mark[1] or ""}
      end
    end
  end
  local prev = mark[1] or ""
  redis.call("HSET", KEYS[1], "T", ARGV[1], "instance", ARGV[2], "prev", prev)
  redis.call("SET", KEYS[2], ARGV[2], "PX", ARGV[3])
  redis.call("HSET", KEYS[3], ARGV[4], ARGV[5])
  return {1, prev}
end
if T == markT and mark[2] == ARGV[2] then
  return {1, mark[3] or ""}
end
return {0, mark[1]}
