-- Create a receipt and keep the raw bytes, once. A second call for the same receipt id (the
-- same bytes from the same feed) changes nothing and returns 0, so retries are harmless;
-- unless the first call's receipt was never queued (the API died between keeping it and
-- queuing it): then it returns 2, and the caller queues it now.
-- The receipt goes on the in-flight index, which the reconciler watches until it settles.
-- Named keys and arguments: IngestCall in receipts.py.
if redis.call('EXISTS', KEY.receipt) == 1 then
  local state = redis.call('HGET', KEY.receipt, 'state')
  if state == 'queued' and redis.call('HEXISTS', KEY.receipt, 'enqueued') == 0 then
    return 2
  end
  return 0
end
redis.call('SET', KEY.raw, ARG.raw_bytes, 'EX', ARG.ttl)
redis.call('HSET', KEY.receipt, unpack(ARG.fields))
redis.call('EXPIRE', KEY.receipt, ARG.ttl)
redis.call('ZADD', KEY.inflight, ARG.now, ARG.receipt_id)
return 1
