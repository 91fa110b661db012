-- Find the newest shown stories matching a filter, server-side, in one step.
--
-- A filter is groups of index keys: a story must be in at least one key of every group. The
-- walk goes down the smallest group by score (newest first, from the cursor) and checks each
-- member against the other groups with ZSCORE, so a selective filter costs little however
-- many stories the window holds. A group of several keys that leads the walk is first merged
-- into a scratch key, dropped before the script ends. Stories held by an embargo are skipped
-- unless asked for. The walk stops after max_scan members and says where it stopped.
--
-- Mode 'page' returns {found ids and scores..., last scanned id, its score, 1 if the walk
-- ran out of members else 0}. Mode 'facets' reads each match's facet lines (key prefix ..
-- id .. suffix) and returns {matches counted, 1 if it ran out, line, count, line, count, ...}.
-- Named keys and arguments: QueryCall in reading.py (KEY.indexes: every group's index keys in
-- order, ARG.group_sizes saying how many belong to each group; a story's facet key is
-- ARG.facet_prefix .. id .. ARG.facet_suffix, both from workers/keys.py).
local mode, max_score, after = ARG.mode, ARG.max_score, ARG.after
local min_score = tonumber(ARG.min_score)
local limit, max_scan, now = tonumber(ARG.limit), tonumber(ARG.max_scan), tonumber(ARG.now)
local held_ok = ARG.include_embargoed == '1'

local groups, at = {}, 1
for g, group_size in ipairs(ARG.group_sizes) do
  local group = {}
  for _ = 1, tonumber(group_size) do
    group[#group + 1] = KEY.indexes[at]
    at = at + 1
  end
  groups[g] = group
end

local lead, lead_size = nil, nil
for g, group in ipairs(groups) do
  local size = 0
  for _, key in ipairs(group) do
    size = size + redis.call('ZCARD', key)
  end
  if lead_size == nil or size < lead_size then
    lead, lead_size = g, size
  end
end

local driver = groups[lead][1]
local scratch = false
if #groups[lead] > 1 and lead_size > 0 then
  redis.call('ZUNIONSTORE', KEY.scratch, #groups[lead], unpack(groups[lead]))
  redis.call('PEXPIRE', KEY.scratch, 5000)
  driver, scratch = KEY.scratch, true
end

local function member_of_rest(id)
  for g, group in ipairs(groups) do
    if g ~= lead then
      local found = false
      for _, key in ipairs(group) do
        if redis.call('ZSCORE', key, id) then
          found = true
          break
        end
      end
      if not found then
        return false
      end
    end
  end
  return true
end

local function shown(id)
  if held_ok then
    return true
  end
  local release = redis.call('ZSCORE', KEY.embargoes, id)
  return not release or tonumber(release) <= now
end

local rank = 0
if max_score ~= '+inf' then
  rank = redis.call('ZCOUNT', driver, '(' .. max_score, '+inf')
end
local found, matched, scanned, ran_out = {}, 0, 0, 1
local last_id, last_score = '', ''
local batch = 256
while lead_size > 0 do
  local rows = redis.call('ZREVRANGE', driver, rank, rank + batch - 1, 'WITHSCORES')
  if #rows == 0 then
    break
  end
  rank = rank + #rows / 2
  local stop = false
  for i = 1, #rows, 2 do
    local id, score = rows[i], rows[i + 1]
    local value = tonumber(score)
    if value < min_score then
      stop = true
      break
    end
    if not (after ~= '' and value == tonumber(max_score) and id >= after) then
      if scanned >= max_scan or matched >= limit then
        ran_out = 0
        stop = true
        break
      end
      scanned = scanned + 1
      last_id, last_score = id, score
      if member_of_rest(id) and shown(id) then
        found[#found + 1] = id
        found[#found + 1] = score
        matched = matched + 1
      end
    end
  end
  if stop then
    break
  end
  batch = 1024
end

if scratch then
  redis.call('DEL', KEY.scratch)
end

if mode == 'page' then
  found[#found + 1] = last_id
  found[#found + 1] = last_score
  found[#found + 1] = ran_out
  return found
end

local counts, order = {}, {}
for i = 1, #found, 2 do
  local lines = redis.call('GET', ARG.facet_prefix .. found[i] .. ARG.facet_suffix)
  if lines then
    for line in string.gmatch(lines, '[^\n]+') do
      if counts[line] == nil then
        counts[line] = 0
        order[#order + 1] = line
      end
      counts[line] = counts[line] + 1
    end
  end
end
local out = {matched, ran_out}
for _, line in ipairs(order) do
  out[#out + 1] = line
  out[#out + 1] = counts[line]
end
return out
