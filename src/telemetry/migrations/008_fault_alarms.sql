-- 008_fault_alarms: what the batch forecast decided for each fault prediction, beside the probability: the model's
-- alarm threshold (model.json, on the probability scale reported; src/inference/model-outputs.ts) and the alarm
-- (1 when the probability is strictly above it). Older rows have neither. IF NOT EXISTS: safe where an ILP write
-- created the column first.
ALTER TABLE fault_predictions ADD COLUMN IF NOT EXISTS threshold DOUBLE;
ALTER TABLE fault_predictions ADD COLUMN IF NOT EXISTS alarm LONG;
