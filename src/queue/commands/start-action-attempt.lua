-- Start an attempt of one action execution in one round trip: read the record and the completion marker and, when
-- the attempt will run (no marker, record runnable, this occurrence current, no dependencies to wait for), take the
-- next attempt number. Anything else is left to the processor, which decides from what is returned.
-- KEYS: record hash, completion marker, attempt counter. ARGV: occurrence, counter TTL seconds.
-- Returns {record (flat HGETALL), marker JSON or '', attempt (0: none taken)}.
local rec = redis.call('HGETALL', KEYS[1])
local marker = redis.call('GET', KEYS[2]) or ''
if marker ~= '' or #rec == 0 then return {rec, marker, 0} end
local f = {}
for i = 1, #rec, 2 do f[rec[i]] = rec[i + 1] end
local s = f['status']
if s ~= 'proposed' and s ~= 'approved' and s ~= 'queued' then return {rec, '', 0} end
if (f['occurrence'] or '1') ~= ARGV[1] then return {rec, '', 0} end
local ok, action = pcall(cjson.decode, f['action'] or '')
if not ok or type(action) ~= 'table' then return {rec, '', 0} end
if type(action['dependsOn']) == 'table' and #action['dependsOn'] > 0 then return {rec, '', 0} end
local n = redis.call('INCR', KEYS[3])
redis.call('EXPIRE', KEYS[3], ARGV[2])
return {rec, '', n}
