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
--
-- Whatever editors see is also in the term indexes (workers/indexing.py names the terms; this
-- script only writes the keys it is given): the story leaves the index keys its previous
-- version was in (kept in the story's index set) and joins the new ones, each trimmed to the
-- retention window and expiring with it. A kill moves the story between status indexes only.
-- KEYS: 1 guard, 2 story, 3 time index, 4 stories stream, 5 receipt, 6 duplicate set of the
--       cluster lead, 7 versions of the story, 8 this version, 9 killed marker,
--       10 the story's index set, 11 its facet lines, 12 embargo index, 13 its own status
--       index, 14 the killed status index, 15..14+ARGV[18] every status index, then the
--       story's term indexes
-- ARGV: 1 ttl, 2 story json, 3 index score, 4 story id, 5 event type, 6 event json,
--       7 stream maxlen, 8 now (iso), 9 receipt state, 10 duplicate of ('' if none),
--       11 index floor score (older entries are trimmed), 12 mode, 13 the version's place in
--       its chain (creation time when the agency gave one, else its number), 14 receipt id,
--       15 cluster lead ('' if none), 16 embargo release score ('' if not embargoed),
--       17 facet lines, 18 number of status indexes
local existing = redis.call('GET', KEYS[1])
if existing then
  return {0, existing}
end
local ttl, mode, version = ARGV[1], ARGV[12], tonumber(ARGV[13])

local id = ARGV[4]
local floor = '(' .. ARGV[11]
local first_term = 15 + tonumber(ARGV[18])

local function join(key, score)
  redis.call('ZADD', key, score, id)
  redis.call('ZREMRANGEBYSCORE', key, '-inf', floor)
  redis.call('EXPIRE', key, ttl)
end

local function reindex()
  for _, key in ipairs(redis.call('SMEMBERS', KEYS[10])) do
    redis.call('ZREM', key, id)
  end
  redis.call('DEL', KEYS[10])
  local status = KEYS[13]
  if redis.call('EXISTS', KEYS[9]) == 1 then
    status = KEYS[14]
  end
  local joined = {status}
  for i = first_term, #KEYS do
    joined[#joined + 1] = KEYS[i]
  end
  for _, key in ipairs(joined) do
    join(key, ARGV[3])
  end
  redis.call('SADD', KEYS[10], unpack(joined))
  redis.call('EXPIRE', KEYS[10], ttl)
  redis.call('SET', KEYS[11], ARGV[17], 'EX', ttl)
  if ARGV[16] ~= '' and status ~= KEYS[14] then
    redis.call('ZADD', KEYS[12], ARGV[16], id)
    redis.call('EXPIRE', KEYS[12], ttl)
  else
    redis.call('ZREM', KEYS[12], id)
  end
end

local function show()
  redis.call('SET', KEYS[2], ARGV[2], 'EX', ttl)
  redis.call('ZADD', KEYS[3], ARGV[3], ARGV[4])
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', floor)
  reindex()
end

-- A kill keeps the story's last text and terms; only its status changes.
local function mark_killed()
  local score = redis.call('ZSCORE', KEYS[3], id) or ARGV[3]
  for i = 15, first_term - 1 do
    redis.call('ZREM', KEYS[i], id)
    redis.call('SREM', KEYS[10], KEYS[i])
  end
  join(KEYS[14], score)
  redis.call('SADD', KEYS[10], KEYS[14])
  redis.call('EXPIRE', KEYS[10], ttl)
  redis.call('ZREM', KEYS[12], id)
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
    elseif redis.call('EXISTS', KEYS[10]) == 1 then
      mark_killed()
    end
  end
end
local event_id = redis.call('XADD', KEYS[4], 'MAXLEN', '~', ARGV[7], '*',
  'type', ARGV[5], 'story_id', ARGV[4], 'data', ARGV[6])
redis.call('SET', KEYS[1], event_id, 'EX', ttl)
redis.call('HSET', KEYS[5], 'state', ARGV[9], 'stage', 'publish', 'story_id', ARGV[4],
  'duplicate_of', ARGV[10], 'updated_at', ARGV[8], 'event_id', event_id, 'reason', '')
return {1, event_id}
