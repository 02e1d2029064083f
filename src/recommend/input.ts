/**
 * Build a `PolicyInput` from what the caller has: every evidence list defaults to empty and the safety state to
 * "nothing opted out, no windows, breaker closed, dry run" (the safe default until the caller says otherwise).
 */
import type { PolicyInput } from './types.js';

export type PolicyInputParts = Pick<PolicyInput, 'now' | 'topology'> &
  Partial<Omit<PolicyInput, 'safety'>> & {
    readonly safety?: Partial<PolicyInput['safety']>;
  };

export function policyInput(parts: PolicyInputParts): PolicyInput {
  return {
    anomalies: [],
    faultPredictions: [],
    xidEvents: [],
    ecc: [],
    utilisation: [],
    facility: [],
    powerForecasts: [],
    placementForecasts: [],
    openActions: [],
    history: [],
    ...parts,
    safety: { optOut: [], maintenanceWindows: [], circuitBreakerTripped: false, dryRun: true, ...parts.safety },
  };
}
