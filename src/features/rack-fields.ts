/**
 * Rack fields: `rack:<facility field>` (e.g. `rack:inlet_temp_c`) is the facility_metrics value of the rack a GPU
 * sits in, averaged over the rack's sensors, on the GPU's time grid.
 *
 * Why: a facility cooling failure heats every GPU of a rack at once, so neither the GPU alone nor its peers show it
 * clearly (busy GPUs throttle near 85 °C and look like any hot GPU). The rack's inlet air, 20 °C above its usual
 * range, does. Like peer fields it is joined where a fleet is read (the QuestDB reader, the simulator); for the
 * models it is then an ordinary input column, and a client sending inline windows sends it itself.
 */

export const RACK_PREFIX = 'rack:';

export const isRackField = (name: string): boolean => name.startsWith(RACK_PREFIX);

/** `rack:inlet_temp_c` → `inlet_temp_c`. */
export const rackBase = (name: string): string => name.slice(RACK_PREFIX.length);

/** The facility fields to read for `fields` (its rack fields' bases), without duplicates. */
export function rackFacilityFields(fields: readonly string[]): string[] {
  return [...new Set(fields.filter(isRackField).map(rackBase))];
}
