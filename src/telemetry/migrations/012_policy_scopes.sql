-- 012_policy_scopes: opt-outs and maintenance windows set by operators (POST /v1/safety/opt-outs and
-- /v1/safety/maintenance-windows). Append-only: each change is a row; the newest row of an id is its state
-- (removed = 1 once deleted). An opt-out may have no end (until removed); a maintenance window always has one, and
-- stops applying by itself when it ends. `namespace` is the queue namespace (QUEUE_PREFIX) it applies to.
CREATE TABLE IF NOT EXISTS policy_scopes (
  ts TIMESTAMP,
  id SYMBOL,
  kind SYMBOL,
  scope_kind SYMBOL,
  scope_id SYMBOL,
  start_ts TIMESTAMP,
  end_ts TIMESTAMP,
  actor SYMBOL,
  note STRING,
  removed LONG,
  namespace SYMBOL
) TIMESTAMP(ts) PARTITION BY DAY WAL
DEDUP UPSERT KEYS(ts, id);
