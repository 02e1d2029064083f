-- 003_scores: model outputs written by the scheduled batch forecasts (src/forecast/shard.ts) and readable by
-- dashboards and the policy's history. One row per device (or job) and model per scoring time; DEDUP UPSERT KEYS
-- make a re-run of the same time slot (a retried shard, a backfill) replace its rows instead of adding copies.

-- Anomaly detector: reconstruction score, the model's threshold, and the top contributing features (JSON array of
-- {name, contribution}).
CREATE TABLE IF NOT EXISTS anomaly_scores (
  ts TIMESTAMP,
  device SYMBOL,
  cluster SYMBOL,
  rack SYMBOL,
  model SYMBOL,
  model_version SYMBOL,
  score DOUBLE,
  threshold DOUBLE,
  anomalous LONG,
  top_features STRING
) TIMESTAMP(ts) PARTITION BY DAY WAL
DEDUP UPSERT KEYS(ts, device, model);

-- Fault predictor (+ time-to-failure model when one is active): probability of failure within horizon_ms.
CREATE TABLE IF NOT EXISTS fault_predictions (
  ts TIMESTAMP,
  device SYMBOL,
  cluster SYMBOL,
  rack SYMBOL,
  model SYMBOL,
  model_version SYMBOL,
  probability DOUBLE,
  horizon_ms LONG,
  ttf_ms DOUBLE
) TIMESTAMP(ts) PARTITION BY DAY WAL
DEDUP UPSERT KEYS(ts, device, model);

-- Throughput model: predicted throughput of a job at a candidate power cap (one row per candidate).
CREATE TABLE IF NOT EXISTS throughput_forecasts (
  ts TIMESTAMP,
  job_id SYMBOL,
  cluster SYMBOL,
  model SYMBOL,
  model_version SYMBOL,
  power_cap_w DOUBLE,
  throughput DOUBLE,
  current LONG
) TIMESTAMP(ts) PARTITION BY DAY WAL
DEDUP UPSERT KEYS(ts, job_id, model, power_cap_w);
