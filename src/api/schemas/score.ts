/**
 * TypeBox schemas of the scoring and prediction API: one source for validation, TypeScript types and OpenAPI.
 *
 * Two ways to say what to score (exactly one per request):
 *  - `windows`: raw telemetry inline, `windows[w][t][f]`: rows oldest first, values in the order of `fields`
 *    (default: the model's `inputFields` from GET /v1/models/{name}). Each window has at least `windowLength`
 *    rows; extra leading rows only serve as history for `delta:` features. Values must be finite numbers.
 *  - `devices` + `from` + `to`: telemetry read from QuestDB for those devices (`node/gpu`) over [from, to).
 */
import { type Static, Type } from 'typebox';
import { MAX_WINDOWS } from '../../inference/window-requests.js';

export const MAX_DEVICES = 1_024;

const Time = Type.Union(
  [Type.Integer({ minimum: 0, maximum: 8.64e15 }), Type.String({ minLength: 1, maxLength: 40 })],
  {
    description: 'epoch milliseconds, or ISO-8601 with a zone',
  },
);

const ModelChoice = {
  model: Type.Optional(
    Type.String({ minLength: 1, maxLength: 128, description: 'default: the served model of the family' }),
  ),
  version: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'default: the active version' })),
};

const WindowSource = {
  windows: Type.Optional(
    Type.Array(Type.Array(Type.Array(Type.Number())), {
      minItems: 1,
      maxItems: MAX_WINDOWS,
      description: 'windows[w][t][f], raw units',
    }),
  ),
  fields: Type.Optional(
    Type.Array(Type.String({ minLength: 1, maxLength: 64 }), {
      maxItems: 64,
      description: 'column names of the inline windows',
    }),
  ),
  devices: Type.Optional(
    Type.Array(Type.String({ minLength: 1, maxLength: 128 }), { minItems: 1, maxItems: MAX_DEVICES }),
  ),
  from: Type.Optional(Time),
  to: Type.Optional(Time),
};

/**
 * Exactly one source: inline windows, or devices with from and to (a body with both matches both branches). No
 * `not` (fuzzers' generators trip over it); `windows` with `devices` but no range passes this and is refused by
 * the route. The error handler names the branches by their descriptions.
 */
const ONE_SOURCE = {
  oneOf: [
    { description: '`windows`', required: ['windows'] },
    { description: '`devices` with `from` and `to`', required: ['devices', 'from', 'to'] },
  ],
};

export const AnomalyRequest = Type.Object(
  {
    ...ModelChoice,
    ...WindowSource,
    latest: Type.Optional(
      Type.Boolean({
        description: 'devices: score only the latest window of each device (default: every window at the model stride)',
      }),
    ),
    topK: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 32, description: 'top contributing features per window (default 3)' }),
    ),
  },
  { additionalProperties: false, ...ONE_SOURCE },
);
export type AnomalyRequest = Static<typeof AnomalyRequest>;

const FeatureShare = Type.Object({
  feature: Type.String(),
  share: Type.Number({ description: "share of the window's squared reconstruction error" }),
});

const NullableNumber = Type.Union([Type.Number(), Type.Null()]);

const WindowRef = {
  index: Type.Integer({ description: 'position in the request (inline) or in the response (devices)' }),
  device: Type.Optional(Type.String()),
  endTs: Type.Optional(Type.String({ description: 'timestamp of the last sample of the window (devices)' })),
};

const Served = {
  model: Type.String(),
  version: Type.String({ description: 'the version every result of this response came from' }),
  executionProvider: Type.String(),
};

export const AnomalyResponse = Type.Object({
  ...Served,
  windowLength: Type.Integer(),
  threshold: NullableNumber,
  rule: Type.Union([Type.Literal('threshold'), Type.Literal('sliding-window')], {
    description:
      "how scores become verdicts: `threshold` (score strictly above the model's threshold, per window) or " +
      '`sliding-window` (the model.json detection of a CSV-trained model: a window is anomalous inside an interval ' +
      "the detector finds over each device's or inline window's whole series, as `npm run score` reports it; with " +
      '`latest` or inline windows, the last window judged against the rows sent or read)',
  }),
  results: Type.Array(
    Type.Object({
      ...WindowRef,
      score: Type.Number({ description: 'mean squared reconstruction error in scaled units' }),
      threshold: NullableNumber,
      anomalous: Type.Union([Type.Boolean(), Type.Null()], {
        description: 'by `rule`: score strictly above threshold, or inside a detected interval',
      }),
      topFeatures: Type.Array(FeatureShare),
    }),
  ),
});

export const FaultRequest = Type.Object(
  {
    ...ModelChoice,
    ...WindowSource,
    ttf: Type.Optional(
      Type.Boolean({ description: 'also predict time to failure when a ttf model is served (default true)' }),
    ),
  },
  { additionalProperties: false, ...ONE_SOURCE },
);
export type FaultRequest = Static<typeof FaultRequest>;

export const FaultResponse = Type.Object({
  ...Served,
  horizonMinutes: Type.Number({
    description: 'faultProbability is the probability of a fault within this many minutes',
  }),
  alarmThreshold: Type.Union(
    [
      Type.Object({
        value: Type.Number({ description: 'alarm when faultProbability is strictly above this' }),
        source: Type.String({ description: 'where the threshold comes from (model and version, model.json)' }),
      }),
      Type.Null(),
    ],
    { description: "the model's alarm threshold; null when its model.json has none (then alarm is null)" },
  ),
  ttfModel: Type.Union([
    Type.Object({ model: Type.String(), version: Type.String(), capMinutes: Type.Number() }),
    Type.Null(),
  ]),
  ttfNote: Type.Optional(Type.String()),
  predictions: Type.Array(
    Type.Object({
      ...WindowRef,
      faultProbability: Type.Number({
        description: 'probability of a fault within horizonMinutes (calibrated when the model has a calibration)',
      }),
      alarm: Type.Union([Type.Boolean(), Type.Null()]),
      ttfMinutes: NullableNumber,
      ttfBeyondCap: Type.Union([Type.Boolean(), Type.Null()]),
    }),
  ),
});

export const ThroughputRequest = Type.Object(
  {
    ...ModelChoice,
    configurations: Type.Array(
      Type.Object(
        {
          symbols: Type.Optional(
            Type.Record(Type.String(), Type.String({ maxLength: 128 }), { description: 'e.g. workload, gpu_model' }),
          ),
          values: Type.Record(Type.String(), Type.Number(), {
            description: 'e.g. params_billion, n_gpus, batch_size, power_cap_w',
          }),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: MAX_WINDOWS },
    ),
  },
  { additionalProperties: false },
);
export type ThroughputRequest = Static<typeof ThroughputRequest>;

export const ThroughputResponse = Type.Object({
  ...Served,
  predictions: Type.Array(
    Type.Object({ index: Type.Integer(), throughput: Type.Number({ description: 'samples or tokens per second' }) }),
  ),
});
