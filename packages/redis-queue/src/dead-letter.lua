-- Moves an item that cannot be decoded straight to the dead letter with the decode error.
-- KEYS[1] takes (zset)  KEYS[2] items (hash)  KEYS[3] dead (hash)  KEYS[4] lease (hash)
-- KEYS[5] stalls (hash)  KEYS[6] the worker's replies (hash)  KEYS[7] dedup (hash)  KEYS[8] keyof (hash)
-- KEYS[9] taken (hash)
-- ARGV[1] id  ARGV[2] token  ARGV[3] error text  ARGV[4] call id  ARGV[5] replies field
-- ARGV[6] replies ttl ms
-- Returns 1 dead-lettered, -1 lease lost, -2 item missing; a re-sent call the first run's answer.
--@include includes/server-time.lua
--@include includes/item-header.lua
--@include includes/lease-token.lua
--@include includes/takes.lua
--@include includes/replies.lua
--@include includes/free-keys.lua

local prior = replay(KEYS[6], ARGV[5], ARGV[4])
if prior then return prior[1] end
local id = ARGV[1]
local state = lease_state(KEYS[4], KEYS[2], id, ARGV[2])
if state ~= LEASE_HELD then return remember(KEYS[6], ARGV[5], ARGV[4], ARGV[6], { state })[1] end
local now = server_time_ms()
local value = redis.call('HGET', KEYS[2], id) or taken_value(KEYS[9], ARGV[2], id)
if not value then return remember(KEYS[6], ARGV[5], ARGV[4], ARGV[6], { ITEM_MISSING })[1] end
local attempts, first, payload = parse_item(value)
redis.call('HDEL', KEYS[2], id)
redis.call('HDEL', KEYS[4], id)
forget_taken(KEYS[1], KEYS[9], ARGV[2], 1)
unpin_if_idle(KEYS[1], KEYS[4])
redis.call('HDEL', KEYS[5], id)
write_dead_letter(KEYS[3], id, payload, attempts + 1, first, now, ARGV[3])
free_keys(KEYS[7], KEYS[8], { id })
return remember(KEYS[6], ARGV[5], ARGV[4], ARGV[6], { 1 })[1]
