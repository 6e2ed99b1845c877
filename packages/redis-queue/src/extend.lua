-- Renews the leases a worker holds: moves each take's deadline, never its token, so running it
-- twice is harmless. Marks items the worker has started as running (their expiry is then a
-- stall).
-- KEYS[1] takes (zset)  KEYS[2] lease (hash)  KEYS[3] items (hash)
-- ARGV[1] lease ms  ARGV[2..] triples of id, token, "1" when the item is running else "0"
-- Returns { new deadline, code per item }: 1 renewed, -1 lease lost, -2 item missing. A take's
-- deadline moves when the call names any item the take still holds: all its items share it.
--@include includes/server-time.lua
--@include includes/lease-token.lua

local deadline = server_time_ms() + tonumber(ARGV[1])
-- Formatted once: Redis would format the Lua number again for every take.
local deadline_text = tostring(deadline)
local states, _, counts = lease_states(KEYS[2], KEYS[3], ARGV, 2, 3)
local result = { deadline }
local marks = {}
for n, state in ipairs(states) do
  result[n + 1] = state
  local i = 2 + (n - 1) * 3
  if state == LEASE_HELD and ARGV[i + 2] == '1' then
    marks[#marks + 1] = ARGV[i]
    marks[#marks + 1] = '+' .. ARGV[i + 1]
  end
end
local scores = {}
for token in pairs(counts) do
  scores[#scores + 1] = deadline_text
  scores[#scores + 1] = token
end
if #scores > 0 then redis.call('ZADD', KEYS[1], 'XX', unpack(scores)) end
if #marks > 0 then redis.call('HSET', KEYS[2], unpack(marks)) end
return result
