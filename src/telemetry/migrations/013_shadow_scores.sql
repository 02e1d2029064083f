-- 013_shadow_scores: a shadow candidate's outputs beside the champion's, for the same device and window
-- (src/forecast/shadow.ts). Written by every batch forecast while a model has a shadow (models/<name>/SHADOW); read
-- only by the shadow comparison (training/evaluate/shadow-comparison.ts), never by the policy, health or alarms.
-- score: the anomaly score or the fault probability; alarm: 1 when that output raised an alarm (anomalous, or
-- above the fault threshold), as the outputs module decided (src/inference/model-outputs.ts). Pairing both models
-- in one row means the comparison sees exactly the windows both scored.
CREATE TABLE IF NOT EXISTS shadow_scores (
  ts TIMESTAMP,
  device SYMBOL,
  cluster SYMBOL,
  rack SYMBOL,
  model SYMBOL,
  family SYMBOL,
  champion_version SYMBOL,
  shadow_version SYMBOL,
  champion_score DOUBLE,
  champion_alarm LONG,
  shadow_score DOUBLE,
  shadow_alarm LONG
) TIMESTAMP(ts) PARTITION BY DAY WAL
DEDUP UPSERT KEYS(ts, device, model, shadow_version);
