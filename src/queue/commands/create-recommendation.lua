-- Create a recommendation record unless one exists.
-- KEYS: record hash, creation index (sorted set). ARGV: action JSON, status, now, requestedBy, id, expire seconds (0: none).
-- Returns 1 when created, 0 when the id exists.
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'action', ARGV[1], 'status', ARGV[2], 'createdAt', ARGV[3], 'updatedAt', ARGV[3], 'requestedBy', ARGV[4])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[5])
if ARGV[6] ~= '0' then redis.call('EXPIRE', KEYS[1], ARGV[6]) end
return 1
