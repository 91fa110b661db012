-- Dedupe one receipt's story in one atomic step: look it up and record it, so two workers
-- handling near-duplicates at the same moment still find each other (whichever runs second
-- sees the first's bands), and two copies of one version cannot both be "first".
--
-- The window is a ring of time buckets: bucket keys are written only during their own period
-- and expire window + one bucket after it, so the index stays bounded with no sweeper.
-- Per bucket (base = KEY.bucket_base .. bucket number):
--   base:rc    receipt id -> ref         (a redelivered task gets its first verdict back)
--   base:body  body hash (16 bytes) -> ref
--   base:sig   ref -> record: kind \t of \t score \t reason \t story id \t lead \t size \t sig
--   base:b<i>  band value -> 'count;refs': stories that carried it, and the newest few refs
--   base:slug  agency + slug hash -> story id: the take a later take's version words follow
--   base:fam   agency + slug (or parent slug) hash -> refs: takes of one story's slug family
--   base:anc   sampled shingle of a short item -> refs: what a summary absorbing it holds
--
-- Version chains (chain base .. story id): field '<story id>:<version>' -> receipt \t order,
-- where order is the version's creation time when the agency gave one (version numbers are
-- opaque at some agencies) and its number otherwise. A chain reached through a link keeps an
-- '@alias' field naming the chain the item joined, so later versions of the linking item
-- follow it there.
--
-- Named keys and arguments: DedupeCall in dedupe.py (its fields say what each one is; the
-- time-bucket and chain key names are built here from the bases it passes, KEY.bucket_base
-- and ARG.chain_base, both named in workers/keys.py).
-- Returns {kind, of story, score, reason, cluster lead, story id the item belongs to}.
local receipt, story_id, version = ARG.receipt_id, ARG.story_id, tonumber(ARG.version)
local has_chain, is_kill, body = ARG.has_chain == '1', ARG.is_kill == '1', ARG.body_hash
local now, back, ttl = tonumber(ARG.bucket), tonumber(ARG.buckets), tonumber(ARG.bucket_ttl)
local sig, size = ARG.signature, tonumber(ARG.size)
local bands, rows = tonumber(ARG.bands), tonumber(ARG.rows)
local jbar, cbar, min_match = tonumber(ARG.jaccard), tonumber(ARG.containment), tonumber(ARG.min_matches)
local max_cands, keep_refs, chain_ttl = tonumber(ARG.max_candidates), tonumber(ARG.refs_per_band), ARG.chain_ttl
local chain_base, created = ARG.chain_base, tonumber(ARG.version_created)
local slug, wants_slug, slug_back = ARG.slug_key, ARG.follows_slug == '1', tonumber(ARG.link_buckets)
local names, figures, anchors, index_anchors = ARG.names, ARG.figures, ARG.anchors, ARG.short_item == '1'
local families = ARG.families
local names_min, names_share = tonumber(ARG.names_shared), tonumber(ARG.names_share)
local figures_share, figures_min = tonumber(ARG.lookalike_figures_share), tonumber(ARG.lookalike_min_figures)
local anchor_share, lookalike_names = tonumber(ARG.anchor_share), tonumber(ARG.lookalike_names_share)
local band_df = tonumber(ARG.band_df)
local base = KEY.bucket_base

local function bkey(bucket, suffix)
  return base .. bucket .. ':' .. suffix
end

-- Records: 'v2' kind of score reason story lead size names# figures# anchors# (tab
-- separated), then the binary names, figures and signature. Records without the 'v2' mark
-- were written before evidence was kept: kind .. size, then the signature.
local function parse(record)
  local f, pos = {}, 1
  local v2 = string.sub(record, 1, 3) == 'v2\t'
  if v2 then pos = 4 end
  for _ = 1, (v2 and 10 or 7) do
    local tab = string.find(record, '\t', pos, true)
    f[#f + 1] = string.sub(record, pos, tab - 1)
    pos = tab + 1
  end
  local r = {kind = f[1], of = f[2], score = f[3], reason = f[4], story = f[5], lead = f[6],
             size = tonumber(f[7]), names = '', figures = '', anchors = 0}
  if v2 then
    local nn, nf = tonumber(f[8]) * 2, tonumber(f[9]) * 2
    r.anchors = tonumber(f[10])
    r.names = string.sub(record, pos, pos + nn - 1)
    r.figures = string.sub(record, pos + nn, pos + nn + nf - 1)
    r.sig = string.sub(record, pos + nn + nf)
  else
    r.sig = string.sub(record, pos)
  end
  return r
end

-- How many 16-bit values two sorted packed lists share.
local function shared(a, b)
  local i, j, n = 1, 1, 0
  while i < #a and j < #b do
    local x = string.byte(a, i) * 256 + string.byte(a, i + 1)
    local y = string.byte(b, j) * 256 + string.byte(b, j + 1)
    if x == y then
      n, i, j = n + 1, i + 2, j + 2
    elseif x < y then
      i = i + 2
    else
      j = j + 2
    end
  end
  return n
end

-- Shared names: the count and its share of the smaller list.
local function names_overlap(r)
  local small = math.min(#names, #r.names) / 2
  if small == 0 then return 0, 0 end
  local n = shared(names, r.names)
  return n, n / small
end

-- Same wording, different who and how much: a template look-alike, two stories.
local function looks_alike(r)
  local mine_f, theirs_f = #figures / 2, #r.figures / 2
  if mine_f < figures_min or theirs_f < figures_min then return false end
  if shared(figures, r.figures) / math.min(mine_f, theirs_f) >= figures_share then return false end
  local _, share = names_overlap(r)
  return share < lookalike_names
end

-- How many signature bins (16-bit values) agree with ours, position by position.
local function bins_agreeing(theirs)
  local m = 0
  for p = 1, #sig, 2 do
    if string.byte(sig, p) == string.byte(theirs, p) and
       string.byte(sig, p + 1) == string.byte(theirs, p + 1) then m = m + 1 end
  end
  return m
end

-- A comma-separated list of refs with one more at its end, the oldest dropped past keep.
local function with_ref(refs, value, keep)
  local list = refs and (refs .. ',' .. value) or value
  local _, commas = string.gsub(list, ',', '')
  while commas >= keep do
    list = string.sub(list, string.find(list, ',', 1, true) + 1)
    commas = commas - 1
  end
  return list
end

local function push_ref(key, field, value, keep)
  redis.call('HSET', key, field, with_ref(redis.call('HGET', key, field), value, keep))
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

local ref = tostring(redis.call('INCR', KEY.ref_counter))
local kind, of, score, reason, lead = nil, '', '', '', story_id

-- The verdict when a near-duplicate was found: it joins the cluster of the story it resembles.
local function near_duplicate(found, how_much, why)
  kind, of, lead = 'near_duplicate', found.lead, found.lead
  score = string.format('%.3f', how_much)
  reason = why
end

-- Which chain the item belongs to: its own, one it joined before (alias), one it names as
-- replaced (a link in the agency's metadata), or the take its version words follow (slug).
local target, chain, evidence = story_id, KEY.chain, nil
local alias = has_chain and redis.call('HGET', KEY.chain, '@alias') or nil
if alias then
  target, chain = alias, chain_base .. alias
else
  local own_history = has_chain and redis.call('HLEN', KEY.chain) > 0
  if not own_history then
    for _, named in ipairs(ARG.replaces) do
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
        redis.call('HSET', KEY.chain, '@alias', target)
        redis.call('EXPIRE', KEY.chain, chain_ttl)
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
  local field = story_id .. ':' .. ARG.version
  local stored = redis.call('HGET', chain, field)
  -- Chains written before fields named their story hold plain version numbers.
  if not stored and chain == KEY.chain then stored = redis.call('HGET', chain, ARG.version) end
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
      if f ~= field and f ~= '@alias' and not (chain == KEY.chain and f == ARG.version) then
        local sid, v = string.match(f, '^(.*):(%d+)$')
        if not sid then sid, v = target, f end
        local value = redis.call('HGET', chain, f)
        local t = tonumber(string.match(value, '\t(.*)$') or '')
        local other = {sid = sid, version = tonumber(v) or 0, created = t}
        if not newest or newer(other, newest) then newest, newest_version = other, v end
      end
    end
    redis.call('HSET', chain, field, receipt .. '\t' .. (ARG.version_created or ''))
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
local lookalike = nil
local width = rows * 2
if sig ~= '' and string.len(sig) >= bands * width then
  local seen, cands = {}, {}
  -- Band values many stories share are boilerplate (a feed's template sentences, standing
  -- copy): each band field keeps how many stories carried it this bucket ('count;refs'), and
  -- a band whose value reached band_df in the window neither makes candidates nor counts as
  -- agreement below.
  local stop, any_stop = {}, false
  for i = 1, bands do
    local field = string.sub(sig, (i - 1) * width + 1, i * width)
    local df = 0
    local lists = {}
    for b = now, now - back, -1 do
      local stored = redis.call('HGET', bkey(b, 'b' .. i), field)
      local n, refs = 0, nil
      if stored then
        local count, rest = string.match(stored, '^(%d+);(.*)$')
        if count then
          n, refs = tonumber(count), rest
        else
          refs = stored
          local _, commas = string.gsub(stored, ',', '')
          n = commas + 1
        end
        df = df + n
        lists[#lists + 1] = {b, refs}
      end
      if b == now then
        redis.call('HSET', bkey(now, 'b' .. i), field,
          (n + 1) .. ';' .. with_ref(refs, ref, keep_refs))
      end
    end
    if df >= band_df then
      stop[i], any_stop = true, true
    else
      for _, l in ipairs(lists) do
        for r in string.gmatch(l[2], '[^,]+') do
          local id = l[1] .. ':' .. r
          if not seen[id] then
            seen[id] = true
            cands[#cands + 1] = {l[1], r}
          end
        end
      end
    end
  end
  for i = 1, bands do redis.call('EXPIRE', bkey(now, 'b' .. i), ttl) end

  if not kind then
    local mine = {string.byte(sig, 1, -1)}
    local best, best_score, best_j, best_c = nil, -1, 0, 0
    local checked = 0
    lookalike = nil
    -- Newest first: the candidates from the current bucket come first in the list.
    for _, c in ipairs(cands) do
      if checked >= max_cands then break end
      local rec = redis.call('HGET', bkey(c[1], 'sig'), c[2])
      if rec then
        local r = parse(rec)
        if r.story ~= story_id and r.story ~= target and string.len(r.sig) == #mine then
          checked = checked + 1
          local theirs = {string.byte(r.sig, 1, -1)}
          -- With boilerplate bands about, only the other bands' bins are trusted (the bins
          -- outside the bands have no count of their own to tell boilerplate by).
          local m, counted = 0, 0
          for p = 1, #mine, 2 do
            local bin = (p + 1) / 2
            local band = math.floor((bin - 1) / rows) + 1
            if not any_stop or (band <= bands and not stop[band]) then
              counted = counted + 1
              if mine[p] == theirs[p] and mine[p + 1] == theirs[p + 1] then m = m + 1 end
            end
          end
          local j = counted > 0 and m / counted or 0
          local small = math.min(size, r.size)
          local cont = 0
          if small > 0 then cont = math.min(1, j * (size + r.size) / ((1 + j) * small)) end
          if (j >= jbar or (cont >= cbar and m >= min_match)) and j < 0.9 and looks_alike(r) then
            lookalike = r.story
          elseif j >= jbar or (cont >= cbar and m >= min_match) then
            local s = math.max(j, cont)
            if s > best_score then
              best, best_score, best_j, best_c = r, s, j, cont
            end
          end
        end
      end
    end
    if best then
      near_duplicate(best, best_score, string.format(
        'similar to story %s (jaccard %.2f, containment %.2f)', best.story, best_j, best_c))
    end
  end
end

-- A short item this story holds: its sampled shingles are (nearly) all among ours.
local n_anchors = #anchors / 4
if n_anchors > 0 then
  local list = {}
  for i = 1, #anchors, 4 do list[#list + 1] = string.sub(anchors, i, i + 3) end
  if not kind then
    local best, best_share, best_hits = nil, 0, 0
    for b = now, math.max(now - slug_back, now - back), -1 do
      local hits = {}
      local found = redis.call('HMGET', bkey(b, 'anc'), unpack(list))
      for _, refs in ipairs(found) do
        if refs then
          for r in string.gmatch(refs, '[^,]+') do hits[r] = (hits[r] or 0) + 1 end
        end
      end
      for r, n in pairs(hits) do
        if n >= 3 then
          local rec = redis.call('HGET', bkey(b, 'sig'), r)
          if rec then
            local c = parse(rec)
            local share = c.anchors > 0 and n / c.anchors or 0
            -- A summary absorbs the short item: it is clearly the longer of the two.
            if c.story ~= story_id and c.story ~= target and share >= anchor_share
                and size >= 1.5 * c.size and share > best_share then
              best, best_share, best_hits = c, share, n
            end
          end
        end
      end
    end
    if best then
      near_duplicate(best, best_share, string.format(
        'holds short item %s (%d of its %d sampled shingles)', best.story, best_hits,
        best.anchors))
    end
  end
  if index_anchors then
    for _, a in ipairs(list) do push_ref(bkey(now, 'anc'), a, ref, 4) end
    redis.call('EXPIRE', bkey(now, 'anc'), ttl)
  else
    n_anchors = 0
  end
end

-- Another take of this agency's story under the same slug or its parent, rewritten: little
-- shared wording, but the same people, places and organisations.
if families ~= '' then
  local fam_keys = {}
  for i = 1, #families, 12 do fam_keys[#fam_keys + 1] = string.sub(families, i, i + 11) end
  if not kind and (#names + #figures) / 2 >= names_min then
    local best, best_n, best_share = nil, 0, 0
    local seen = {}
    for _, fk in ipairs(fam_keys) do
      for b = now, now - slug_back, -1 do
        local refs = redis.call('HGET', bkey(b, 'fam'), fk)
        if refs then
          for r in string.gmatch(refs, '[^,]+') do
            if not seen[b .. ':' .. r] then
              seen[b .. ':' .. r] = true
              local rec = redis.call('HGET', bkey(b, 'sig'), r)
              if rec then
                local c = parse(rec)
                if c.story ~= story_id and c.story ~= target and not looks_alike(c) then
                  -- Facts in common: names, the figures both takes print, and wording:
                  -- every four agreeing signature bins (a paragraph carried over) count one.
                  local n = shared(names, c.names) + shared(figures, c.figures)
                  if sig ~= '' and #c.sig == #sig then n = n + math.floor(bins_agreeing(c.sig) / 4) end
                  local small = math.min(#names + #figures, #c.names + #c.figures) / 2
                  local share = small > 0 and math.min(1, n / small) or 0
                  if n >= names_min and share >= names_share and share > best_share then
                    best, best_n, best_share = c, n, share
                  end
                end
              end
            end
          end
        end
      end
    end
    if best then
      near_duplicate(best, best_share, string.format(
        'another take of story %s: same agency and slug family, %d names and figures in ' ..
        'common (%.0f%%)', best.story, best_n, best_share * 100))
    end
  end
  for _, fk in ipairs(fam_keys) do push_ref(bkey(now, 'fam'), fk, ref, 4) end
  redis.call('EXPIRE', bkey(now, 'fam'), ttl)
end

if not kind then
  kind = 'new'
  if lookalike then
    reason = 'shares wording with story ' .. lookalike ..
      ' but not its names or figures: a look-alike (template copy), not the same story'
  elseif sig == '' then
    reason = 'body not seen before (too short to compare for near-duplicates)'
  else
    reason = 'no story in the window with this body or one like it'
  end
end

if lead == story_id then lead = target end
local record = 'v2\t' .. table.concat({kind, of, score, reason, target, lead, tostring(size),
  tostring(#names / 2), tostring(#figures / 2), tostring(n_anchors)}, '\t') .. '\t' ..
  names .. figures .. sig
redis.call('HSET', bkey(now, 'sig'), ref, record)
redis.call('HSET', bkey(now, 'rc'), receipt, ref)
redis.call('EXPIRE', bkey(now, 'sig'), ttl)
redis.call('EXPIRE', bkey(now, 'rc'), ttl)
return {kind, of, score, reason, lead, target}
