-- 010_field_labels: labels from the field, and what became of each recommendation.
--
-- fault_labels (001) gains where a label came from (`operator`, `rma`, `ticket`, `xid`, `simulator`), the person's
-- free-text note, and the recommendation it confirms (empty unless it came from a `confirmed` outcome). A label
-- without failure_ts is a degradation caught before the device failed. Rows written before this migration have no
-- source (they came from the simulator). IF NOT EXISTS keeps each statement safe to run again.
ALTER TABLE fault_labels ADD COLUMN IF NOT EXISTS source SYMBOL;
ALTER TABLE fault_labels ADD COLUMN IF NOT EXISTS note STRING;
ALTER TABLE fault_labels ADD COLUMN IF NOT EXISTS recommendation_id SYMBOL;

-- recommendation_outcomes: what an operator found after a recommendation (`confirmed`, `false_alarm`, `unknown`),
-- append-only; the newest row per id is its outcome. ts is when it was recorded; a replayed row lands once.
-- label_ts/label_device/fault_type name the fault_labels row a `confirmed` outcome wrote.
CREATE TABLE IF NOT EXISTS recommendation_outcomes (
  ts TIMESTAMP,
  id SYMBOL,
  outcome SYMBOL,
  type SYMBOL,
  target SYMBOL,
  cluster SYMBOL,
  actor SYMBOL,
  fault_type SYMBOL,
  label_device SYMBOL,
  label_ts TIMESTAMP,
  note STRING
) TIMESTAMP(ts) PARTITION BY DAY WAL
DEDUP UPSERT KEYS(ts, id);
