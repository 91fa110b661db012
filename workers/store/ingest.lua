-- Create a receipt and keep the raw bytes, once. A second call for the same receipt id (the
-- same bytes from the same feed) changes nothing and returns 0, so retries are harmless.
-- Named keys and arguments: IngestCall in receipts.py.
if redis.call('EXISTS', KEY.receipt) == 1 then
  return 0
end
redis.call('SET', KEY.raw, ARG.raw_bytes, 'EX', ARG.ttl)
redis.call('HSET', KEY.receipt, unpack(ARG.fields))
redis.call('EXPIRE', KEY.receipt, ARG.ttl)
return 1
