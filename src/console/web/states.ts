/**
 * The health states as the console shows them. The states and their meaning come from the health API
 * (src/health); only the colours live here, chosen to stay apart for the common colour-vision deficiencies and
 * with `unknown` a neutral grey: a GPU without data is never painted as healthy.
 */
export const STATES = ['healthy', 'degraded', 'at_risk', 'failing', 'drained', 'unknown'] as const;
export type State = (typeof STATES)[number];

export const STATE_COLOURS: Record<State, string> = {
  healthy: '#1a9850',
  degraded: '#e3c000',
  at_risk: '#f46d43',
  failing: '#b2182b',
  drained: '#4575b4',
  unknown: '#9e9e9e',
};

export const STATE_LABELS: Record<State, string> = {
  healthy: 'healthy',
  degraded: 'degraded',
  at_risk: 'at risk',
  failing: 'failing',
  drained: 'drained',
  unknown: 'unknown (no data)',
};

/** Worst first: the order incidents and reasons are listed in. */
export const SEVERITY: Record<State, number> = {
  failing: 0,
  at_risk: 1,
  degraded: 2,
  unknown: 3,
  drained: 4,
  healthy: 5,
};
