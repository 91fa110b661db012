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
-- KEYS: 1 embargo index, 2 scratch key, 3.. the groups' keys in order
-- ARGV: 1 mode, 2 max score ('+inf' or a score), 3 cursor id ('' none: take all at max score),
--       4 min score, 5 limit, 6 max scan, 7 now, 8 include embargoed ('1'/'0'),
--       9 facet key prefix, 10 facet key suffix, 11 number of groups, 12.. their sizes
local mode, max_score, after = ARGV[1], ARGV[2], ARGV[3]
local min_score = tonumber(ARGV[4])
local limit, max_scan, now = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local held_ok = ARGV[8] == '1'

local groups, at = {}, 3
for g = 1, tonumber(ARGV[11]) do
  local group = {}
  for _ = 1, tonumber(ARGV[11 + g]) do
    group[#group + 1] = KEYS[at]
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
  redis.call('ZUNIONSTORE', KEYS[2], #groups[lead], unpack(groups[lead]))
  redis.call('PEXPIRE', KEYS[2], 5000)
  driver, scratch = KEYS[2], true
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
  local release = redis.call('ZSCORE', KEYS[1], id)
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
  redis.call('DEL', KEYS[2])
end

if mode == 'page' then
  found[#found + 1] = last_id
  found[#found + 1] = last_score
  found[#found + 1] = ran_out
  return found
end

local counts, order = {}, {}
for i = 1, #found, 2 do
  local lines = redis.call('GET', ARGV[9] .. found[i] .. ARGV[10])
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
