/**
 * Where each runbook lives: one per recommendation type, one per alert, one for the health states. Paths are
 * relative to the repository root (docs/runbooks/*.md); the health API and the alert annotations carry them, and
 * src/health/runbooks.test.ts checks that every one exists.
 */
import { ACTION_TYPES, type ActionType } from '../recommend/types.js';

export const RUNBOOK_DIR = 'docs/runbooks';

/** The runbook of a recommendation (action) type. */
export const actionRunbook = (type: ActionType | string): string =>
  (ACTION_TYPES as readonly string[]).includes(type) ? `${RUNBOOK_DIR}/${type}.md` : healthRunbook('recommendation');

/** What the health reasons' kinds link to: a section of the health-states runbook. */
export const REASON_KINDS = [
  'no_data',
  'drain',
  'anomaly',
  'fault_prediction',
  'xid',
  'ecc',
  'recommendation',
  'repeat_offender',
] as const;
export type ReasonKind = (typeof REASON_KINDS)[number];

export const healthRunbook = (kind: ReasonKind): string => `${RUNBOOK_DIR}/gpu-health.md#${kind.replace('_', '-')}`;

/** Alert names in ops/prometheus/alerts.yml; each has `docs/runbooks/alert-<kebab name>.md`. */
export const ALERTS = [
  'FleetHealthScoreLow',
  'FleetHealthScoreDropped',
  'ForecastRunsLate',
  'ForecastJobsFailing',
  'RemediationBacklog',
  'CircuitBreakerTripped',
  'InferenceErrors',
  'QuestDBDown',
  'RedisDown',
  'FleetsenseDown',
] as const;

export const alertRunbook = (alert: string): string =>
  `${RUNBOOK_DIR}/alert-${alert
    .replace('QuestDB', 'Questdb')
    .replace(/([a-z])([A-Z])/g, '$1-$2')
    .toLowerCase()}.md`;
