-- Renews the leases a worker holds: moves each deadline, never the token, so running it twice is
-- harmless. Marks items the worker has started as running (their expiry is then a stall).
-- KEYS[1] inflight (zset)  KEYS[2] lease (hash)  KEYS[3] items (hash)
-- ARGV[1] lease ms  ARGV[2..] triples of id, token, "1" when the item is running else "0"
-- Returns { new deadline, code per item }: 1 renewed, -1 lease lost, -2 item missing.
--@include includes/server-time.lua
--@include includes/lease-token.lua

local deadline = server_time_ms() + tonumber(ARGV[1])
local result = { deadline }
local scores, marks = {}, {}
for i = 2, #ARGV, 3 do
  local id, token = ARGV[i], ARGV[i + 1]
  local state = lease_state(KEYS[2], KEYS[3], id, token)
  result[#result + 1] = state
  if state == LEASE_HELD then
    scores[#scores + 1] = deadline
    scores[#scores + 1] = id
    if ARGV[i + 2] == '1' then
      marks[#marks + 1] = id
      marks[#marks + 1] = '+' .. token
    end
  end
end
if #scores > 0 then redis.call('ZADD', KEYS[1], 'XX', unpack(scores)) end
if #marks > 0 then redis.call('HSET', KEYS[2], unpack(marks)) end
return result
