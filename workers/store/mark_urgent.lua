-- Single-story work is under way: make the urgent mark last at least ARG.ms from now.
-- A mark that already lasts longer is left as it is (never shortened).
-- Named keys and arguments: MarkUrgentCall in stages.py.
local left = redis.call('PTTL', KEY.urgent)
if left ~= -1 and left < tonumber(ARG.ms) then
  redis.call('SET', KEY.urgent, '1', 'PX', ARG.ms)
end
return left
