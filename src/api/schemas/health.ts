/** TypeBox schemas of the GPU health API (src/api/routes/health-gpus.ts). */
import { Type } from 'typebox';
import { HEALTH_STATES } from '../../health/health-policy.js';
import { REASON_KINDS } from '../../health/runbooks.js';

const State = Type.Enum(HEALTH_STATES);

export const StateCounts = Type.Object(
  Object.fromEntries(HEALTH_STATES.map((s) => [s, Type.Integer({ minimum: 0 })])) as Record<
    (typeof HEALTH_STATES)[number],
    ReturnType<typeof Type.Integer>
  >,
);

export const HealthReasonView = Type.Object({
  kind: Type.Enum(REASON_KINDS),
  state: State,
  summary: Type.String(),
  at: Type.String({ format: 'date-time', description: 'when the evidence was observed' }),
  evidence: Type.Record(Type.String(), Type.Unknown()),
  runbook: Type.String({ description: 'repository path of the runbook (docs/runbooks/...)' }),
});

export const GpuHealthView = Type.Object({
  device: Type.String({ description: '`node/gpu`' }),
  cluster: Type.String(),
  rack: Type.String(),
  node: Type.String(),
  gpu: Type.String(),
  gpuModel: Type.String(),
  state: State,
  lastSampleAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  reasons: Type.Array(HealthReasonView),
});

const Score = {
  score: Type.Union([Type.Number({ minimum: 0, maximum: 1 }), Type.Null()], { description: 'null: no GPUs' }),
  gpus: Type.Integer(),
  states: StateCounts,
};

export const FleetScoreView = Type.Object({
  at: Type.String({ format: 'date-time' }),
  weights: Type.Record(Type.String(), Type.Number()),
  fleet: Type.Object(Score),
  clusters: Type.Array(Type.Object({ cluster: Type.String(), ...Score })),
});

export const HealthHistoryView = Type.Object({
  from: Type.String({ format: 'date-time' }),
  to: Type.String({ format: 'date-time' }),
  cluster: Type.Union([Type.String(), Type.Null()]),
  mean: Type.Union([Type.Number(), Type.Null()], { description: 'mean recorded score over the range' }),
  min: Type.Union([Type.Number(), Type.Null()]),
  points: Type.Array(Type.Object({ at: Type.String({ format: 'date-time' }), ...Score })),
});
