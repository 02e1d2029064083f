-- 009_fleet_health: the fleet health score over time (src/health/fleet-score.ts), written by every API process
-- every HEALTH_RECORD_EVERY_S (src/api/inputs/fleet-health-monitor.ts) and read by GET /v1/health/fleet/history.
-- One row per recording time and scope: scope 'fleet' (cluster '*') or 'cluster' (the cluster's name). ts is the
-- recording slot (now floored to the interval), so API replicas recording the same slot land on one row.
CREATE TABLE IF NOT EXISTS fleet_health (
  ts TIMESTAMP,
  scope SYMBOL,
  cluster SYMBOL,
  score DOUBLE,
  gpus LONG,
  healthy LONG,
  degraded LONG,
  at_risk LONG,
  failing LONG,
  drained LONG,
  unknown LONG
) TIMESTAMP(ts) PARTITION BY DAY WAL
DEDUP UPSERT KEYS(ts, scope, cluster);
