-- 001_telemetry: raw telemetry tables (GPU, facility, job) and fault ground truth.
-- Columns mirror src/telemetry/catalogue.ts (a test keeps them in step). WAL tables, partitioned by day, with
-- DEDUP UPSERT KEYS on timestamp + identity so a replayed batch never duplicates rows.

CREATE TABLE IF NOT EXISTS gpu_metrics (
  ts TIMESTAMP,
  cluster SYMBOL,
  rack SYMBOL,
  node SYMBOL,
  gpu SYMBOL,
  gpu_model SYMBOL,
  gpu_temp_c DOUBLE,
  mem_temp_c DOUBLE,
  power_w DOUBLE,
  power_limit_w DOUBLE,
  sm_clock_mhz DOUBLE,
  mem_clock_mhz DOUBLE,
  gpu_util DOUBLE,
  mem_copy_util DOUBLE,
  fb_used_mib DOUBLE,
  fb_total_mib DOUBLE,
  ecc_sbe_volatile LONG,
  ecc_dbe_volatile LONG,
  remapped_rows_pending LONG,
  xid_count LONG,
  xid_last LONG,
  pcie_replay_count LONG,
  nvlink_crc_errors LONG,
  clock_event_reasons LONG,
  fan_speed_pct DOUBLE
) TIMESTAMP(ts) PARTITION BY DAY WAL
DEDUP UPSERT KEYS(ts, cluster, node, gpu);

CREATE TABLE IF NOT EXISTS facility_metrics (
  ts TIMESTAMP,
  site SYMBOL,
  room SYMBOL,
  rack SYMBOL,
  sensor SYMBOL,
  inlet_temp_c DOUBLE,
  outlet_temp_c DOUBLE,
  humidity_pct DOUBLE,
  rack_power_kw DOUBLE,
  coolant_temp_c DOUBLE
) TIMESTAMP(ts) PARTITION BY DAY WAL
DEDUP UPSERT KEYS(ts, site, rack, sensor);

CREATE TABLE IF NOT EXISTS job_metrics (
  ts TIMESTAMP,
  job_id SYMBOL,
  workload SYMBOL,
  gpu_model SYMBOL,
  cluster SYMBOL,
  params_billion DOUBLE,
  n_gpus LONG,
  batch_size LONG,
  power_cap_w DOUBLE,
  sm_clock_mhz DOUBLE,
  gpu_temp_c DOUBLE,
  throughput DOUBLE,
  gpu_util_mean DOUBLE
) TIMESTAMP(ts) PARTITION BY DAY WAL
DEDUP UPSERT KEYS(ts, job_id, workload, gpu_model);

-- Ground truth: one row per fault; ts is the onset, failure_ts when the device fails.
CREATE TABLE IF NOT EXISTS fault_labels (
  ts TIMESTAMP,
  device SYMBOL,
  cluster SYMBOL,
  rack SYMBOL,
  node SYMBOL,
  gpu SYMBOL,
  fault_type SYMBOL,
  failure_ts TIMESTAMP,
  xid LONG
) TIMESTAMP(ts) PARTITION BY DAY WAL
DEDUP UPSERT KEYS(ts, device, fault_type);
