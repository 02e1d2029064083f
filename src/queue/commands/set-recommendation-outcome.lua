-- Record what an operator found after a recommendation, on an existing record only (an expired one is not brought
-- back half-empty).
-- KEYS: record hash. ARGV: outcome, by, at (epoch ms). Returns 1 when set, 0 when the record does not exist.
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'outcome', ARGV[1], 'outcomeBy', ARGV[2], 'outcomeAt', ARGV[3])
return 1
