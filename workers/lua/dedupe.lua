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
--   base:slug  agency + slug hash -> story id: the take a later take's version words follow
--
-- Version chains (chain base .. story id): field '<story id>:<version>' -> receipt \t order,
-- where order is the version's creation time when the agency gave one (version numbers are
-- opaque at some agencies) and its number otherwise. A chain reached through a link keeps an
-- '@alias' field naming the chain the item joined, so later versions of the linking item
-- follow it there.
--
-- KEYS: 1 ref counter, 2 version chain of the story, 3 bucket base
-- ARGV: 1 receipt id, 2 story id, 3 version, 4 '1' when the story has an agency item id
--       (a chain), 5 '1' for a kill, 6 body hash (binary), 7 current bucket, 8 buckets to look
--       back, 9 bucket ttl, 10 signature (binary, '' when too short), 11 shingle count,
--       12 bands, 13 rows, 14 jaccard bar, 15 containment bar, 16 min agreeing bins for
--       containment, 17 max candidates checked, 18 refs kept per band value, 19 chain ttl,
--       20 chain key base, 21 version created (epoch seconds, '' when not given),
--       22 slug key ('' when none), 23 '1' when the version words ask for the slug's take,
--       24 buckets a slug link looks back, 25.. story ids of the items this one names as
--       the ones it replaces
-- Returns {kind, of story, score, reason, cluster lead, story id the item belongs to}.
local receipt, story_id, version = ARGV[1], ARGV[2], tonumber(ARGV[3])
local has_chain, is_kill, body = ARGV[4] == '1', ARGV[5] == '1', ARGV[6]
local now, back, ttl = tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9])
local sig, size = ARGV[10], tonumber(ARGV[11])
local bands, rows = tonumber(ARGV[12]), tonumber(ARGV[13])
local jbar, cbar, min_match = tonumber(ARGV[14]), tonumber(ARGV[15]), tonumber(ARGV[16])
local max_cands, keep_refs, chain_ttl = tonumber(ARGV[17]), tonumber(ARGV[18]), ARGV[19]
local chain_base, created = ARGV[20], tonumber(ARGV[21])
local slug, wants_slug, slug_back = ARGV[22], ARGV[23] == '1', tonumber(ARGV[24])
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
      return {r.kind, r.of, r.score, r.reason, r.lead, r.story}
    end
  end
end

local ref = tostring(redis.call('INCR', KEYS[1]))
local kind, of, score, reason, lead = nil, '', '', '', story_id

-- Which chain the item belongs to: its own, one it joined before (alias), one it names as
-- replaced (a link in the agency's metadata), or the take its version words follow (slug).
local target, chain, evidence = story_id, KEYS[2], nil
local alias = has_chain and redis.call('HGET', KEYS[2], '@alias') or nil
if alias then
  target, chain = alias, chain_base .. alias
else
  local own_history = has_chain and redis.call('HLEN', KEYS[2]) > 0
  if not own_history then
    for i = 25, #ARGV do
      local named = ARGV[i]
      if named ~= story_id then
        local key = chain_base .. named
        if redis.call('EXISTS', key) == 1 then
          target = redis.call('HGET', key, '@alias') or named
          evidence = 'names item ' .. named .. ' as the one it replaces'
          break
        end
      end
    end
    if not evidence and wants_slug and slug ~= '' then
      for b = now, now - slug_back, -1 do
        local found = redis.call('HGET', bkey(b, 'slug'), slug)
        if found and found ~= story_id then
          target = found
          evidence = 'version words follow the take with the same agency and slug'
          break
        end
      end
    end
    if evidence then
      chain = chain_base .. target
      if has_chain then
        redis.call('HSET', KEYS[2], '@alias', target)
        redis.call('EXPIRE', KEYS[2], chain_ttl)
      end
    end
  end
end
if slug ~= '' then
  redis.call('HSET', bkey(now, 'slug'), slug, target)
  redis.call('EXPIRE', bkey(now, 'slug'), ttl)
end

if is_kill then
  kind, of = 'kill', target
  reason = 'withdrawn by the agency (kill or canceled status)'
  if evidence then reason = reason .. '; ' .. evidence end
end

-- The version chain. Orders compare by creation time when both versions carry one, else by
-- number; an item that reached the chain by a link is newer than the items it names.
local function newer(a, b)
  if a.created and b.created and a.created ~= b.created then return a.created > b.created end
  if a.sid == b.sid then return a.version > b.version end
  return a.sid == story_id and (evidence ~= nil or alias ~= nil)
end

if has_chain or evidence then
  local field = story_id .. ':' .. ARGV[3]
  local stored = redis.call('HGET', chain, field)
  -- Chains written before fields named their story hold plain version numbers.
  if not stored and chain == KEYS[2] then stored = redis.call('HGET', chain, ARGV[3]) end
  local holder = stored and string.match(stored, '^[^\t]+')
  if holder and holder ~= receipt then
    if not kind then
      kind, of, score = 'resend', target, '1'
      reason = 'same agency item and version ' .. version .. ' as receipt ' .. holder
    end
  else
    local mine = {sid = story_id, version = version, created = created}
    local newest, newest_version = nil, nil
    for _, f in ipairs(redis.call('HKEYS', chain)) do
      if f ~= field and f ~= '@alias' and not (chain == KEYS[2] and f == ARGV[3]) then
        local sid, v = string.match(f, '^(.*):(%d+)$')
        if not sid then sid, v = target, f end
        local value = redis.call('HGET', chain, f)
        local t = tonumber(string.match(value, '\t(.*)$') or '')
        local other = {sid = sid, version = tonumber(v) or 0, created = t}
        if not newest or newer(other, newest) then newest, newest_version = other, v end
      end
    end
    redis.call('HSET', chain, field, receipt .. '\t' .. (ARGV[21] or ''))
    redis.call('EXPIRE', chain, chain_ttl)
    if newest and not kind then
      of = target
      if newer(mine, newest) then
        kind = 'update'
        reason = 'version ' .. version .. ' follows version ' .. newest_version
        if newest.sid ~= story_id then reason = evidence or 'follows an item it named before' end
      else
        kind = 'update_older'
        reason = 'older version ' .. version .. ' arrived after version ' .. newest_version ..
          ': kept in the chain, not shown'
      end
    elseif evidence and not kind then
      kind, of, reason = 'update', target, evidence
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
  if not kind and body_ref.story ~= story_id and body_ref.story ~= target then
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
        if r.story ~= story_id and r.story ~= target and string.len(r.sig) == #mine then
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

if lead == story_id then lead = target end
local record = table.concat({kind, of, score, reason, target, lead, tostring(size), sig}, '\t')
redis.call('HSET', bkey(now, 'sig'), ref, record)
redis.call('HSET', bkey(now, 'rc'), receipt, ref)
redis.call('EXPIRE', bkey(now, 'sig'), ttl)
redis.call('EXPIRE', bkey(now, 'rc'), ttl)
return {kind, of, score, reason, lead, target}
