/**
 * The fleet health score: per cluster and for the whole fleet, the share of GPU capacity that is healthy and
 * available, each GPU counted with its state's weight (STATE_WEIGHTS in health-policy.ts):
 *
 *   score = Σ weight(state of g) / number of GPUs g in the fleet        (0 … 1; 1 = every GPU healthy)
 *
 * A GPU belongs to the fleet while it reported within the inventory window, so a GPU that went silent lowers the
 * score (as `unknown`, weight 0) instead of vanishing from it. An empty fleet has no score (null), not 1.
 */
import { HEALTH_STATES, type HealthState, STATE_WEIGHTS } from './health-policy.js';

export interface HealthScore {
  /** null when there are no GPUs. */
  readonly score: number | null;
  readonly gpus: number;
  readonly states: Readonly<Record<HealthState, number>>;
}

export interface FleetScore {
  readonly fleet: HealthScore;
  /** Sorted by cluster name. */
  readonly clusters: readonly (HealthScore & { readonly cluster: string })[];
}

const zeroCounts = (): Record<HealthState, number> =>
  Object.fromEntries(HEALTH_STATES.map((s) => [s, 0])) as Record<HealthState, number>;

export function scoreOf(states: Readonly<Record<HealthState, number>>): HealthScore {
  let gpus = 0;
  let weighted = 0;
  for (const s of HEALTH_STATES) {
    gpus += states[s];
    weighted += states[s] * STATE_WEIGHTS[s];
  }
  return { score: gpus === 0 ? null : weighted / gpus, gpus, states: { ...states } };
}

export function fleetScore(gpus: Iterable<{ readonly cluster: string; readonly state: HealthState }>): FleetScore {
  const fleet = zeroCounts();
  const byCluster = new Map<string, Record<HealthState, number>>();
  for (const g of gpus) {
    fleet[g.state]++;
    const c = byCluster.get(g.cluster) ?? zeroCounts();
    byCluster.set(g.cluster, c);
    c[g.state]++;
  }
  return {
    fleet: scoreOf(fleet),
    clusters: [...byCluster.keys()]
      .sort()
      .map((cluster) => ({ cluster, ...scoreOf(byCluster.get(cluster) ?? zeroCounts()) })),
  };
}
