-- Move a record to a new status if its current one is allowed.
-- KEYS: record hash. ARGV: to, now, allowed-from (JSON array), extra fields (JSON object), expire seconds (0: none).
-- Returns {status before ('' when missing)}, plus the record after the change when it was allowed.
local s = redis.call('HGET', KEYS[1], 'status')
if not s then return {''} end
local allowed = cjson.decode(ARGV[3])
for _, a in ipairs(allowed) do
  if a == s then
    redis.call('HSET', KEYS[1], 'status', ARGV[1], 'updatedAt', ARGV[2])
    for k, v in pairs(cjson.decode(ARGV[4])) do redis.call('HSET', KEYS[1], k, v) end
    if ARGV[5] ~= '0' then redis.call('EXPIRE', KEYS[1], ARGV[5]) else redis.call('PERSIST', KEYS[1]) end
    return {s, redis.call('HGETALL', KEYS[1])}
  end
end
return {s}
