-- Release one story whose embargo has passed: take it off the embargo set and, unless told
-- not to, append its story.released event, in one atomic step. Two releasers (API replicas
-- whose lease overlapped) cannot both announce it: the second finds it gone from the set.
-- Nothing is done when the story is no longer due (released already, killed, a new version
-- moved its release) or changed since the caller read it (the next round reads it again).
-- Named keys and arguments: ReleaseCall in embargo.py.
local release = redis.call('ZSCORE', KEY.embargoes, ARG.story_id)
if not release or tonumber(release) > tonumber(ARG.now) then
  return false
end
local stored = redis.call('GET', KEY.story) or ''
if stored ~= ARG.story_json then
  return false
end
redis.call('ZREM', KEY.embargoes, ARG.story_id)
if ARG.announce ~= '1' then
  return ''
end
return redis.call('XADD', KEY.stream, 'MAXLEN', '~', ARG.stream_maxlen, '*',
  'type', ARG.event_type, 'story_id', ARG.story_id, 'data', ARG.event_json)
