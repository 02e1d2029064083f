-- Reopen a closed record (executed, failed, rejected) as its next occurrence.
-- KEYS: record hash, creation index. ARGV: action JSON, now, requestedBy, id.
-- Returns the new occurrence number, or 0 when the record is not closed.
local s = redis.call('HGET', KEYS[1], 'status')
if s ~= 'executed' and s ~= 'failed' and s ~= 'rejected' then return 0 end
local n = tonumber(redis.call('HGET', KEYS[1], 'occurrence') or '1') + 1
redis.call('HDEL', KEYS[1], 'approvedBy', 'rejectedBy', 'note', 'outcome', 'outcomeBy', 'outcomeAt')
redis.call('HSET', KEYS[1], 'action', ARGV[1], 'status', 'proposed', 'createdAt', ARGV[2], 'updatedAt', ARGV[2], 'requestedBy', ARGV[3], 'occurrence', n)
redis.call('PERSIST', KEYS[1])
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[4])
return n
