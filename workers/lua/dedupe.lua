-- Dedupe one receipt's story in one atomic step: look it up and record it, so two workers
-- handling near-duplicates at the same moment still find each other (whichever runs second
-- sees the first's bands), and two copies of one version cannot both be "first".
--
-- The window is a ring of time buckets: bucket keys are written only during their own period
-- and expire window + one bucket after it, so the index stays bounded with no sweeper.
-- Per bucket (base = KEYS[3] .. bucket number):
--   base:rc    receipt id -> ref         (a redelivered task gets its first verdict back)
--   base:body  body hash (16 bytes) -> ref
--   base:sig   ref -> record: kind \t of \t score \t reason \t story id \t lead \t size \t sig
--   base:b<i>  band value -> refs, comma separated, the newest few
--
-- KEYS: 1 ref counter, 2 version chain of the story (hash version -> receipt), 3 bucket base
-- ARGV: 1 receipt id, 2 story id, 3 version, 4 '1' when the story has an agency item id
--       (a chain), 5 '1' for a kill, 6 body hash (binary), 7 current bucket, 8 buckets to look
--       back, 9 bucket ttl, 10 signature (binary, '' when too short), 11 shingle count,
--       12 bands, 13 rows, 14 jaccard bar, 15 containment bar, 16 min agreeing bins for
--       containment, 17 max candidates checked, 18 refs kept per band value, 19 chain ttl
-- Returns {kind, of story, score, reason, cluster lead}.

local receipt, story_id, version = ARGV[1], ARGV[2], tonumber(ARGV[3])
local has_chain, is_kill, body = ARGV[4] == '1', ARGV[5] == '1', ARGV[6]
local now, back, ttl = tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9])
local sig, size = ARGV[10], tonumber(ARGV[11])
local bands, rows = tonumber(ARGV[12]), tonumber(ARGV[13])
local jbar, cbar, min_match = tonumber(ARGV[14]), tonumber(ARGV[15]), tonumber(ARGV[16])
local max_cands, keep_refs, chain_ttl = tonumber(ARGV[17]), tonumber(ARGV[18]), ARGV[19]
local base = KEYS[3]

local function bkey(bucket, suffix)
  return base .. bucket .. ':' .. suffix
end

local function parse(record)
  local f, pos = {}, 1
  for _ = 1, 7 do
    local tab = string.find(record, '\t', pos, true)
    f[#f + 1] = string.sub(record, pos, tab - 1)
    pos = tab + 1
  end
  f[8] = string.sub(record, pos)
  return {kind = f[1], of = f[2], score = f[3], reason = f[4], story = f[5], lead = f[6],
          size = tonumber(f[7]), sig = f[8]}
end

-- A redelivery (the worker died after this script ran) gets the verdict it had.
for b = now, now - back, -1 do
  local ref = redis.call('HGET', bkey(b, 'rc'), receipt)
  if ref then
    local rec = redis.call('HGET', bkey(b, 'sig'), ref)
    if rec then
      local r = parse(rec)
      return {r.kind, r.of, r.score, r.reason, r.lead}
    end
  end
end

local ref = tostring(redis.call('INCR', KEYS[1]))
local kind, of, score, reason, lead = nil, '', '', '', story_id

if is_kill then
  kind, of, reason = 'kill', story_id, 'withdrawn by the agency (kill or canceled status)'
end

-- The agency's own version chain.
if has_chain then
  local holder = redis.call('HGET', KEYS[2], ARGV[3])
  if holder and holder ~= receipt then
    if not kind then
      kind, of, score = 'resend', story_id, '1'
      reason = 'same agency item and version ' .. version .. ' as receipt ' .. holder
    end
  else
    local newest = nil
    for _, v in ipairs(redis.call('HKEYS', KEYS[2])) do
      local n = tonumber(v)
      if n and n ~= version and (not newest or n > newest) then newest = n end
    end
    redis.call('HSET', KEYS[2], ARGV[3], receipt)
    redis.call('EXPIRE', KEYS[2], chain_ttl)
    if newest and not kind then
      of = story_id
      if version > newest then
        kind, reason = 'update', 'version ' .. version .. ' follows version ' .. newest
      else
        kind = 'update_older'
        reason = 'older version ' .. version .. ' arrived after version ' .. newest ..
          ': kept in the chain, not shown'
      end
    end
  end
end

-- The same normalised body from anyone else in the window.
local body_ref = nil
for b = now, now - back, -1 do
  local r = redis.call('HGET', bkey(b, 'body'), body)
  if r then
    local rec = redis.call('HGET', bkey(b, 'sig'), r)
    if rec then
      body_ref = parse(rec)
      break
    end
  end
end
if body_ref then
  if not kind and body_ref.story ~= story_id then
    kind, of, score = 'resend', body_ref.story, '1'
    reason = 'same normalised body as story ' .. body_ref.story
    lead = body_ref.lead
  end
else
  redis.call('HSET', bkey(now, 'body'), body, ref)
  redis.call('EXPIRE', bkey(now, 'body'), ttl)
end

-- Near-duplicates: look up every band, then insert ours, in this one step.
local width = rows * 2
if sig ~= '' and string.len(sig) >= bands * width then
  local seen, cands = {}, {}
  for i = 1, bands do
    local field = string.sub(sig, (i - 1) * width + 1, i * width)
    for b = now, now - back, -1 do
      local refs = redis.call('HGET', bkey(b, 'b' .. i), field)
      if refs then
        for r in string.gmatch(refs, '[^,]+') do
          local id = b .. ':' .. r
          if not seen[id] then
            seen[id] = true
            cands[#cands + 1] = {b, r}
          end
        end
      end
      if b == now then
        local keep = refs and (refs .. ',' .. ref) or ref
        local _, commas = string.gsub(keep, ',', '')
        while commas >= keep_refs do
          keep = string.sub(keep, string.find(keep, ',', 1, true) + 1)
          commas = commas - 1
        end
        redis.call('HSET', bkey(now, 'b' .. i), field, keep)
      end
    end
  end
  for i = 1, bands do redis.call('EXPIRE', bkey(now, 'b' .. i), ttl) end

  if not kind then
    local mine = {string.byte(sig, 1, -1)}
    local perm = #mine / 2
    local best, best_score, best_j, best_c = nil, -1, 0, 0
    local checked = 0
    -- Newest first: the candidates from the current bucket come first in the list.
    for _, c in ipairs(cands) do
      if checked >= max_cands then break end
      local rec = redis.call('HGET', bkey(c[1], 'sig'), c[2])
      if rec then
        local r = parse(rec)
        if r.story ~= story_id and string.len(r.sig) == #mine then
          checked = checked + 1
          local theirs = {string.byte(r.sig, 1, -1)}
          local m = 0
          for p = 1, #mine, 2 do
            if mine[p] == theirs[p] and mine[p + 1] == theirs[p + 1] then m = m + 1 end
          end
          local j = m / perm
          local small = math.min(size, r.size)
          local cont = 0
          if small > 0 then cont = math.min(1, j * (size + r.size) / ((1 + j) * small)) end
          if j >= jbar or (cont >= cbar and m >= min_match) then
            local s = math.max(j, cont)
            if s > best_score then
              best, best_score, best_j, best_c = r, s, j, cont
            end
          end
        end
      end
    end
    if best then
      kind, of, lead = 'near_duplicate', best.lead, best.lead
      score = string.format('%.3f', best_score)
      reason = string.format('similar to story %s (jaccard %.2f, containment %.2f)',
        best.story, best_j, best_c)
    end
  end
end

if not kind then
  kind = 'new'
  if sig == '' then
    reason = 'body not seen before (too short to compare for near-duplicates)'
  else
    reason = 'no story in the window with this body or one like it'
  end
end

local record = table.concat({kind, of, score, reason, story_id, lead, tostring(size), sig}, '\t')
redis.call('HSET', bkey(now, 'sig'), ref, record)
redis.call('HSET', bkey(now, 'rc'), receipt, ref)
redis.call('EXPIRE', bkey(now, 'sig'), ttl)
redis.call('EXPIRE', bkey(now, 'rc'), ttl)
return {kind, of, score, reason, lead}
