-- Publish one receipt's story exactly once: store, index, stream event and receipt state in
-- one atomic step, behind a guard key. A redelivered publish task finds the guard and adds no
-- second event; it gets back the id of the event already written.
--
-- Modes, from the dedupe verdict:
--   show     new story or newer version: kept as a version; becomes what editors see unless
--            a higher version was published first (versions can race between workers)
--   archive  an older version that arrived late: kept as a version only
--   kill     kept as a version; marks the story killed (editors see it canceled)
--   dup      resend or near-duplicate: joins the lead's cluster, stays out of the latest list
-- KEYS: 1 guard, 2 story, 3 time index, 4 stories stream, 5 receipt, 6 duplicate set of the
--       cluster lead, 7 versions of the story, 8 this version, 9 killed marker
-- ARGV: 1 ttl, 2 story json, 3 index score, 4 story id, 5 event type, 6 event json,
--       7 stream maxlen, 8 now (iso), 9 receipt state, 10 duplicate of ('' if none),
--       11 index floor score (older entries are trimmed), 12 mode, 13 version, 14 receipt id,
--       15 cluster lead ('' if none)
local existing = redis.call('GET', KEYS[1])
if existing then
  return {0, existing}
end
local ttl, mode, version = ARGV[1], ARGV[12], tonumber(ARGV[13])

local function show()
  redis.call('SET', KEYS[2], ARGV[2], 'EX', ttl)
  redis.call('ZADD', KEYS[3], ARGV[3], ARGV[4])
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', '(' .. ARGV[11])
end

if mode == 'dup' then
  if ARGV[15] ~= ARGV[4] then
    -- Another story's copy: readable under its own id (unless that id already has a story),
    -- and listed in the lead's cluster.
    redis.call('SET', KEYS[2], ARGV[2], 'EX', ttl, 'NX')
    redis.call('SADD', KEYS[6], ARGV[4])
    redis.call('EXPIRE', KEYS[6], ttl)
  end
else
  local top = redis.call('ZREVRANGE', KEYS[7], 0, 0, 'WITHSCORES')
  local newest = top[2] and tonumber(top[2]) or nil
  redis.call('SET', KEYS[8], ARGV[2], 'EX', ttl)
  redis.call('ZADD', KEYS[7], version, ARGV[14])
  redis.call('EXPIRE', KEYS[7], ttl)
  if mode == 'show' then
    if not newest or version >= newest then
      show()
    end
  elseif mode == 'kill' then
    redis.call('SET', KEYS[9], ARGV[14], 'EX', ttl)
    if redis.call('EXISTS', KEYS[2]) == 0 then
      show()
    end
  end
end
local id = redis.call('XADD', KEYS[4], 'MAXLEN', '~', ARGV[7], '*',
  'type', ARGV[5], 'story_id', ARGV[4], 'data', ARGV[6])
redis.call('SET', KEYS[1], id, 'EX', ttl)
redis.call('HSET', KEYS[5], 'state', ARGV[9], 'stage', 'publish', 'story_id', ARGV[4],
  'duplicate_of', ARGV[10], 'updated_at', ARGV[8], 'event_id', id, 'reason', '')
return {1, id}
