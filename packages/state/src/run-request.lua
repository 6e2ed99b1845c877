-- Files one "run now" request for a job and tells the runners, once per request id.
-- KEYS[1] <prefix>:run-requests:{<job>}              list of JSON requests a runner takes with LPOP
-- KEYS[2] <prefix>:run-requests:{<job>}:sent:<id>     marker that this request was filed (same slot)
-- ARGV[1] the request as JSON { id, job, requestedAt }
-- ARGV[2] the channel <prefix>:run-requests
-- ARGV[3] the job's full name, the message on the channel
-- ARGV[4] how long the marker lives, in ms
-- A re-sent call (its reply was lost) finds the marker and files nothing twice. Returns 1 when
-- this call filed the request, 0 when an earlier send of it did.
if redis.call('SET', KEYS[2], '1', 'NX', 'PX', ARGV[4]) == false then
  return 0
end
redis.call('RPUSH', KEYS[1], ARGV[1])
redis.call('PUBLISH', ARGV[2], ARGV[3])
return 1
