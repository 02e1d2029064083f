-- 004_remediation: the remediation loop's durable record.
--
-- remediation_actions: the execution audit, append-only. One row per execution attempt of an action. ts is the
-- ACTION's creation time (not the attempt's), so DEDUP UPSERT KEYS(ts, action_id, attempt) make an attempt that is
-- written twice (a worker killed after writing its row, the job then retried) land once; started/finished hold the
-- attempt's real times. dry_run is 0/1.
CREATE TABLE IF NOT EXISTS remediation_actions (
  ts TIMESTAMP,
  action_id SYMBOL,
  type SYMBOL,
  target SYMBOL,
  target_kind SYMBOL,
  cluster SYMBOL,
  severity SYMBOL,
  executor SYMBOL,
  result SYMBOL,
  requested_by SYMBOL,
  approved_by SYMBOL,
  worker SYMBOL,
  reason STRING,
  detail STRING,
  error STRING,
  started TIMESTAMP,
  finished TIMESTAMP,
  attempt LONG,
  dry_run LONG
) TIMESTAMP(ts) PARTITION BY DAY WAL
DEDUP UPSERT KEYS(ts, action_id, attempt);

-- recommendations: append-only history of every recommendation's status changes (proposed, approved, rejected,
-- queued, executed, failed, suppressed). The live state sits in Redis (src/queue/recommendation-store.ts); this
-- table is what survives and what reports query. A replayed transition (same ts, id, status) lands once.
CREATE TABLE IF NOT EXISTS recommendations (
  ts TIMESTAMP,
  id SYMBOL,
  status SYMBOL,
  type SYMBOL,
  target SYMBOL,
  cluster SYMBOL,
  severity SYMBOL,
  actor SYMBOL,
  confidence DOUBLE,
  reason STRING,
  evidence STRING,
  note STRING
) TIMESTAMP(ts) PARTITION BY DAY WAL
DEDUP UPSERT KEYS(ts, id, status);

-- model_comparisons: every retrain's candidate-vs-active evaluation on the same held-out window, and whether the
-- candidate was promoted.
CREATE TABLE IF NOT EXISTS model_comparisons (
  ts TIMESTAMP,
  model SYMBOL,
  candidate_version SYMBOL,
  active_version SYMBOL,
  trigger SYMBOL,
  metric SYMBOL,
  candidate_value DOUBLE,
  active_value DOUBLE,
  promoted LONG,
  detail STRING
) TIMESTAMP(ts) PARTITION BY DAY WAL
DEDUP UPSERT KEYS(ts, model, candidate_version);
