-- 006_api_audit_phase: a state-changing call is audited in two rows. `requested` is written durably BEFORE the
-- handler runs (who asked for what; if it cannot be stored the call is refused with 503 and not applied);
-- `completed` follows with the answer's status. A call refused before its handler (401, 403, 429, 400 validation)
-- has only its `completed` row. Rows written before this migration have no phase (they are `completed` rows).
ALTER TABLE api_audit ADD COLUMN IF NOT EXISTS phase SYMBOL;
