-- A stage starts on a receipt: count the attempt and mark the receipt, in one round trip.
-- Only a receipt still in flight (queued or processing) is marked: a publish redelivered after
-- it succeeded, or a task of an item already quarantined, must not turn a settled receipt
-- back into 'processing'. An expired receipt is not resurrected.
-- A single-story stage also renews the urgent mark (KEYS[3], for ARGV[4] ms at least) that makes bulk
-- tasks wait, in the same round trip; a batch passes 0 and leaves it alone.
-- KEYS: 1 receipt hash, 2 attempt counter, 3 urgent mark
-- ARGV: 1 stage, 2 now (iso), 3 ttl seconds, 4 urgent mark ms (0: none)
local attempts = redis.call('INCR', KEYS[2])
redis.call('EXPIRE', KEYS[2], ARGV[3])
local state = redis.call('HGET', KEYS[1], 'state')
if state == 'queued' or state == 'processing' then
  redis.call('HSET', KEYS[1], 'state', 'processing', 'stage', ARGV[1], 'updated_at', ARGV[2])
end
local urgent_ms = tonumber(ARGV[4])
if urgent_ms > 0 then
  local left = redis.call('PTTL', KEYS[3])
  if left ~= -1 and left < urgent_ms then  -- extend a mark, never shorten one
    redis.call('SET', KEYS[3], '1', 'PX', urgent_ms)
  end
end
return attempts
