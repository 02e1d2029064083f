-- 005_gpu_job_id: the job each GPU runs, per sample (empty when idle). Peer features (src/features/peers.ts) compare
-- a GPU with the other GPUs of its job. Optional: not part of the dedup key. IF NOT EXISTS keeps it safe where the
-- column already exists (e.g. created by an ILP write before this migration ran).
ALTER TABLE gpu_metrics ADD COLUMN IF NOT EXISTS job_id SYMBOL;
