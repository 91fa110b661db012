-- Single-story work is under way: make the urgent mark last at least ARGV[1] ms from now.
-- A mark that already lasts longer is left as it is (never shortened).
-- KEYS: 1 urgent mark   ARGV: 1 ms
local left = redis.call('PTTL', KEYS[1])
if left ~= -1 and left < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
end
return left
