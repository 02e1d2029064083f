-- 002_api_audit: one row per state-changing API call (who, what, result). Append-only.
CREATE TABLE IF NOT EXISTS api_audit (
  ts TIMESTAMP,
  principal SYMBOL,
  role SYMBOL,
  method SYMBOL,
  route STRING,
  url STRING,
  request_id STRING,
  status LONG
) TIMESTAMP(ts) PARTITION BY DAY WAL;
