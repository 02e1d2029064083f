/**
 * Rack fields: `rack:<facility field>` (e.g. `rack:inlet_temp_c`) is the facility_metrics value of the rack a GPU
 * sits in, averaged over the rack's sensors, on the GPU's time grid.
 *
 * Why: a facility cooling failure heats every GPU of a rack at once, so neither the GPU alone nor its peers show it
 * clearly (busy GPUs throttle near 85 °C and look like any hot GPU). The rack's inlet air, 20 °C above its usual
 * range, does. Like peer fields it is joined where a fleet is read (the QuestDB reader, the simulator); for the
 * models it is then an ordinary input column, and a client sending inline windows sends it itself.
 */
import { FACILITY_METRICS } from '../telemetry/catalogue.js';

export const RACK_PREFIX = 'rack:';

const FACILITY_FIELDS = new Set(FACILITY_METRICS.fields.map((f) => f.name));

export const isRackField = (name: string): boolean => name.startsWith(RACK_PREFIX);

/** `rack:inlet_temp_c` → `inlet_temp_c`. */
export const rackBase = (name: string): string => name.slice(RACK_PREFIX.length);

/** The facility fields to read for `fields` (its rack fields' bases), without duplicates; unknown ones throw. */
export function rackFacilityFields(fields: readonly string[]): string[] {
  const out = [...new Set(fields.filter(isRackField).map(rackBase))];
  const unknown = out.filter((f) => !FACILITY_FIELDS.has(f));
  if (unknown.length > 0) throw new RangeError(`unknown facility_metrics field(s): ${unknown.join(', ')}`);
  return out;
}
