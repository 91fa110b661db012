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
-- Named keys and arguments: PublishCall in publish.py (KEY.indexes is every status index,
-- ARG.status_count of them, then the story's term indexes).
local existing = redis.call('GET', KEY.guard)
if existing then
  return {0, existing}
end
local ttl, mode, version = ARG.ttl, ARG.mode, tonumber(ARG.order)

local id = ARG.story_id
local floor = '(' .. ARG.floor
local statuses = tonumber(ARG.status_count)

local function join(key, score)
  redis.call('ZADD', key, score, id)
  redis.call('ZREMRANGEBYSCORE', key, '-inf', floor)
  redis.call('EXPIRE', key, ttl)
end

local function reindex()
  for _, key in ipairs(redis.call('SMEMBERS', KEY.index_set)) do
    redis.call('ZREM', key, id)
  end
  redis.call('DEL', KEY.index_set)
  local status = KEY.status_index
  if redis.call('EXISTS', KEY.killed) == 1 then
    status = KEY.killed_index
  end
  local joined = {status}
  for i = statuses + 1, #KEY.indexes do
    joined[#joined + 1] = KEY.indexes[i]
  end
  for _, key in ipairs(joined) do
    join(key, ARG.score)
  end
  redis.call('SADD', KEY.index_set, unpack(joined))
  redis.call('EXPIRE', KEY.index_set, ttl)
  redis.call('SET', KEY.facets, ARG.facet_lines, 'EX', ttl)
  if ARG.embargo ~= '' and status ~= KEY.killed_index then
    redis.call('ZADD', KEY.embargoes, ARG.embargo, id)
    redis.call('EXPIRE', KEY.embargoes, ttl)
  else
    redis.call('ZREM', KEY.embargoes, id)
  end
end

local function show()
  redis.call('SET', KEY.story, ARG.story_json, 'EX', ttl)
  redis.call('ZADD', KEY.time_index, ARG.score, ARG.story_id)
  redis.call('ZREMRANGEBYSCORE', KEY.time_index, '-inf', floor)
  reindex()
end

-- A kill keeps the story's last text and terms; only its status changes.
local function mark_killed()
  local score = redis.call('ZSCORE', KEY.time_index, id) or ARG.score
  for i = 1, statuses do
    redis.call('ZREM', KEY.indexes[i], id)
    redis.call('SREM', KEY.index_set, KEY.indexes[i])
  end
  join(KEY.killed_index, score)
  redis.call('SADD', KEY.index_set, KEY.killed_index)
  redis.call('EXPIRE', KEY.index_set, ttl)
  redis.call('ZREM', KEY.embargoes, id)
end

if mode == 'dup' then
  if ARG.lead ~= ARG.story_id then
    -- Another story's copy: readable under its own id (unless that id already has a story),
    -- and listed in the lead's cluster.
    redis.call('SET', KEY.story, ARG.story_json, 'EX', ttl, 'NX')
    redis.call('SADD', KEY.cluster, ARG.story_id)
    redis.call('EXPIRE', KEY.cluster, ttl)
  end
else
  local top = redis.call('ZREVRANGE', KEY.versions, 0, 0, 'WITHSCORES')
  local newest = top[2] and tonumber(top[2]) or nil
  redis.call('SET', KEY.version, ARG.story_json, 'EX', ttl)
  redis.call('ZADD', KEY.versions, version, ARG.receipt_id)
  redis.call('EXPIRE', KEY.versions, ttl)
  if mode == 'show' then
    if not newest or version >= newest then
      show()
    end
  elseif mode == 'kill' then
    redis.call('SET', KEY.killed, ARG.receipt_id, 'EX', ttl)
    if redis.call('EXISTS', KEY.story) == 0 then
      show()
    elseif redis.call('EXISTS', KEY.index_set) == 1 then
      mark_killed()
    end
  end
end
local event_id = redis.call('XADD', KEY.stream, 'MAXLEN', '~', ARG.stream_maxlen, '*',
  'type', ARG.event_type, 'story_id', ARG.story_id, 'data', ARG.event_json)
redis.call('SET', KEY.guard, event_id, 'EX', ttl)
redis.call('ZREM', KEY.inflight, ARG.receipt_id)
redis.call('HSET', KEY.receipt, 'state', ARG.state, 'stage', 'publish', 'story_id', ARG.story_id,
  'duplicate_of', ARG.duplicate_of, 'updated_at', ARG.now, 'event_id', event_id, 'reason', '')
return {1, event_id}
