-- Renews the leases a worker holds, each only if that worker still holds it.
-- KEYS[1] inflight (zset)
-- ARGV[1] lease ms  ARGV[2..] pairs of id, the lease deadline the worker holds
-- Returns { new deadline, lost id... } (a lost lease has expired and been taken again, or ended).
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local deadline = now + tonumber(ARGV[1])
local ids = {}
for i = 2, #ARGV, 2 do ids[#ids + 1] = ARGV[i] end
local scores = redis.call('ZMSCORE', KEYS[1], unpack(ids))
local renew = {}
local result = { deadline }
for i, id in ipairs(ids) do
  if scores[i] and tonumber(scores[i]) == tonumber(ARGV[2 * i + 1]) then
    renew[#renew + 1] = deadline
    renew[#renew + 1] = id
  else
    result[#result + 1] = id
  end
end
if #renew > 0 then redis.call('ZADD', KEYS[1], 'XX', unpack(renew)) end
return result
