-- The front door queued these receipts: say so on each, so a retry of the same item is not
-- queued again (ingest.lua). A receipt that expired meanwhile is not made again.
-- Named keys and arguments: MarkEnqueuedCall in receipts.py.
for _, receipt in ipairs(KEY.receipts) do
  if redis.call('EXISTS', receipt) == 1 then
    redis.call('HSET', receipt, 'enqueued', '1')
  end
end
return #KEY.receipts
