-- Create a receipt and keep the raw bytes, once. A second call for the same receipt id (the
-- same bytes from the same feed) changes nothing and returns 0, so retries are harmless.
-- KEYS: receipt hash, raw bytes   ARGV: ttl seconds, raw bytes, field, value, ...
if redis.call('EXISTS', KEYS[1]) == 1 then
  return 0
end
redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[1])
redis.call('HSET', KEYS[1], unpack(ARGV, 3))
redis.call('EXPIRE', KEYS[1], ARGV[1])
return 1
