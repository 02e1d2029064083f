/**
 * Named query over `anomaly_scores` (written by the batch forecast).
 *
 * scoresAround(reader, {model, version, split, limit})
 *   in:  a model name and version, a split time (epoch ms) and a row limit
 *   out: {reference, recent}: up to `limit` scores of that version before `split` (oldest first), and up to `limit`
 *        from `split` on (newest first). The drift check compares the two distributions.
 */
import { isoUtc } from '../pg-pool.js';
import type { TelemetryReader } from '../reader.js';

export async function scoresAround(
  reader: TelemetryReader,
  q: { model: string; version: string; split: number; limit: number },
): Promise<{ reference: number[]; recent: number[] }> {
  const limit = Math.max(1, Math.floor(q.limit)); // an integer of ours, never user text
  const params = [q.model, q.version, isoUtc(q.split)];
  const [reference, recent] = await Promise.all([
    reader.query<{ score: number }>(
      `SELECT score FROM anomaly_scores WHERE model = $1 AND model_version = $2 AND ts < $3 ORDER BY ts LIMIT ${limit}`,
      params,
    ),
    reader.query<{ score: number }>(
      `SELECT score FROM anomaly_scores WHERE model = $1 AND model_version = $2 AND ts >= $3 ORDER BY ts DESC LIMIT ${limit}`,
      params,
    ),
  ]);
  return { reference: reference.map((r) => Number(r.score)), recent: recent.map((r) => Number(r.score)) };
}
