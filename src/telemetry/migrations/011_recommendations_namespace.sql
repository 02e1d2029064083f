-- 011_recommendations_namespace: the queue namespace (QUEUE_PREFIX) a recommendation's history row belongs to, so
-- deployments (or test runs) that share one QuestDB never read each other's decisions back. Rows written before
-- this migration have none and are read by no namespace.
ALTER TABLE recommendations ADD COLUMN IF NOT EXISTS namespace SYMBOL;
-- The target's rack, so a scorecard matches a GPU's recommendation to a fault labelled on its rack.
ALTER TABLE recommendations ADD COLUMN IF NOT EXISTS rack SYMBOL;
