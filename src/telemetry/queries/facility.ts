/**
 * Named query over `facility_metrics`.
 *
 * latestRackReadings(reader, {racks, from, to})
 *   in:  rack ids and a range (epoch ms, [from, to))
 *   out: per rack with a sample in the range: the newest sample time and its last inlet and coolant temperature
 *        (null where the rack never reported that field). No racks: no query, no rows.
 */
import { bindAll, isoUtc } from '../pg-pool.js';
import type { TelemetryReader } from '../reader.js';

export interface RackReading {
  readonly rack: string;
  readonly ts: Date;
  readonly inlet: number | null;
  readonly coolant: number | null;
}

export async function latestRackReadings(
  reader: TelemetryReader,
  q: { racks: readonly string[]; from: number; to: number },
): Promise<RackReading[]> {
  if (q.racks.length === 0) return [];
  const params: unknown[] = [isoUtc(q.from), isoUtc(q.to)];
  return reader.query<RackReading>(
    'SELECT rack, max(ts) ts, last(inlet_temp_c) inlet, last(coolant_temp_c) coolant FROM facility_metrics ' +
      `WHERE ts >= $1 AND ts < $2 AND rack IN (${bindAll(params, q.racks)}) GROUP BY rack`,
    params,
  );
}
