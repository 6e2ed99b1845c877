-- Floor benchmark: move up to ARGV[1] items from the pending list into the in-flight sorted set,
-- scored with a lease deadline computed from Redis TIME, and return them.
-- KEYS[1] pending list, KEYS[2] in-flight sorted set
-- ARGV[1] batch size, ARGV[2] lease in milliseconds
local items = redis.call("LPOP", KEYS[1], tonumber(ARGV[1]))
if not items then return {} end
local now = redis.call("TIME")
local deadline = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000) + tonumber(ARGV[2])
local args = {}
for i, member in ipairs(items) do
  args[#args + 1] = deadline
  args[#args + 1] = member
end
redis.call("ZADD", KEYS[2], unpack(args))
return items
