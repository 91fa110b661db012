-- A stage starts on a receipt: count the attempt and mark the receipt, in one round trip.
-- Only a receipt still in flight (queued or processing) is marked: a publish redelivered after
-- it succeeded, or a task of an item already quarantined, must not turn a settled receipt
-- back into 'processing'. An expired receipt is not resurrected.
-- KEYS: 1 receipt hash, 2 attempt counter   ARGV: 1 stage, 2 now (iso), 3 ttl seconds
local attempts = redis.call('INCR', KEYS[2])
redis.call('EXPIRE', KEYS[2], ARGV[3])
local state = redis.call('HGET', KEYS[1], 'state')
if state == 'queued' or state == 'processing' then
  redis.call('HSET', KEYS[1], 'state', 'processing', 'stage', ARGV[1], 'updated_at', ARGV[2])
end
return attempts
