/** TypeBox schemas of the model registry API (GET /v1/models, GET /v1/models/{name}, POST .../promote). */
import { type Static, Type } from 'typebox';

const ModelVersion = Type.Object({
  version: Type.String(),
  createdAt: Type.String(),
  metrics: Type.Record(Type.String(), Type.Number()),
  threshold: Type.Union([Type.Number(), Type.Null()]),
  active: Type.Boolean(),
  loaded: Type.Boolean(),
  executionProvider: Type.Union([Type.String(), Type.Null()]),
});

const CalibrationMap = Type.Object(
  {
    method: Type.Enum(['platt', 'isotonic'] as const),
    a: Type.Optional(Type.Number()),
    b: Type.Optional(Type.Number()),
    x: Type.Optional(Type.Array(Type.Number(), { description: 'isotonic: ascending raw scores' })),
    y: Type.Optional(Type.Array(Type.Number(), { description: 'isotonic: the probability from each x on' })),
    metrics: Type.Record(Type.String(), Type.Number()),
  },
  { description: "fault family: the active version's map from raw score to probability, fitted on validation data" },
);

export const ModelSummary = Type.Object({
  name: Type.String(),
  family: Type.String(),
  activeVersion: Type.String(),
  executionProvider: Type.String(),
  features: Type.Array(Type.String(), { description: 'model inputs, in order (after derivation and scaling)' }),
  inputFields: Type.Array(Type.String(), { description: 'raw telemetry fields to send in inline windows, in order' }),
  windowLength: Type.Integer(),
  samplePeriodMs: Type.Integer(),
  inputDims: Type.Array(Type.Integer(), { description: 'dims of one model input row, e.g. [T, F]' }),
  outputs: Type.Array(Type.String()),
  horizonMinutes: Type.Optional(Type.Number()),
  ttfCapMinutes: Type.Optional(Type.Number()),
  calibration: Type.Optional(Type.Union([CalibrationMap, Type.Null()], { description: 'null: no map (raw scores)' })),
  versions: Type.Array(ModelVersion),
});
export type ModelSummary = Static<typeof ModelSummary>;

export const ModelList = Type.Object({ models: Type.Array(ModelSummary) });

export const ModelName = Type.Object({ name: Type.String({ minLength: 1, maxLength: 128 }) });

export const PromoteRequest = Type.Object(
  { version: Type.String({ minLength: 1, maxLength: 128 }) },
  { additionalProperties: false },
);

export const PromoteResponse = Type.Object({ previousVersion: Type.String(), model: ModelSummary });
