-- A stage starts on a receipt: count the attempt and mark the receipt, in one round trip.
-- Only a receipt still in flight (queued or processing) is marked: a publish redelivered after
-- it succeeded, or a task of an item already quarantined, must not turn a settled receipt
-- back into 'processing' (nor back on the in-flight index). An expired receipt is not
-- resurrected.
-- A single-story stage also renews the urgent mark that makes bulk tasks wait (for
-- ARG.urgent_ms at least), in the same round trip; a batch passes 0 and leaves it alone.
-- Named keys and arguments: BeginStageCall in stages.py.
local attempts = redis.call('INCR', KEY.attempts)
redis.call('EXPIRE', KEY.attempts, ARG.ttl)
local state = redis.call('HGET', KEY.receipt, 'state')
if state == 'queued' or state == 'processing' then
  redis.call('HSET', KEY.receipt, 'state', 'processing', 'stage', ARG.stage, 'updated_at', ARG.now)
  -- Progress: the reconciler counts the item's time without any from here.
  redis.call('ZADD', KEY.inflight, ARG.progress_at, ARG.receipt_id)
end
local urgent_ms = tonumber(ARG.urgent_ms)
if urgent_ms > 0 then
  local left = redis.call('PTTL', KEY.urgent)
  if left ~= -1 and left < urgent_ms then  -- extend a mark, never shorten one
    redis.call('SET', KEY.urgent, '1', 'PX', urgent_ms)
  end
end
return attempts
