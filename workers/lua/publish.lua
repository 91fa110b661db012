-- Publish one receipt's story exactly once: store, index, stream event and receipt state in
-- one atomic step, behind a guard key. A redelivered publish task finds the guard and adds no
-- second event; it gets back the id of the event already written.
-- KEYS: guard, story, time index, stories stream, receipt, duplicate set of the lead story
-- ARGV: 1 ttl, 2 story json, 3 index score, 4 story id, 5 event type, 6 event json,
--       7 stream maxlen, 8 now (iso), 9 receipt state, 10 duplicate of ('' if none),
--       11 index floor score (older entries are trimmed), 12 '1' to index the story
local existing = redis.call('GET', KEYS[1])
if existing then
  return {0, existing}
end
redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[1])
if ARGV[12] == '1' then
  redis.call('ZADD', KEYS[3], ARGV[3], ARGV[4])
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', '(' .. ARGV[11])
end
if ARGV[10] ~= '' then
  redis.call('SADD', KEYS[6], ARGV[4])
  redis.call('EXPIRE', KEYS[6], ARGV[1])
end
local id = redis.call('XADD', KEYS[4], 'MAXLEN', '~', ARGV[7], '*',
  'type', ARGV[5], 'story_id', ARGV[4], 'data', ARGV[6])
redis.call('SET', KEYS[1], id, 'EX', ARGV[1])
redis.call('HSET', KEYS[5], 'state', ARGV[9], 'stage', 'publish', 'story_id', ARGV[4],
  'duplicate_of', ARGV[10], 'updated_at', ARGV[8], 'event_id', id, 'reason', '')
return {1, id}
