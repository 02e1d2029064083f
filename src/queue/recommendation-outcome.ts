/**
 * What became of a recommendation, as an operator found it: `confirmed` (the fault was real), `false_alarm` or
 * `unknown`. Everything durable is written before the live record changes, and the answer comes only after QuestDB
 * acknowledged it:
 *   1. `confirmed`: a fault label (source `operator`, linked by `recommendation_id`), through the same validation
 *      as POST /v1/labels; the device defaults to the recommendation's evidence, the start to its creation time;
 *   2. a `recommendation_outcomes` row (migration 010);
 *   3. the outcome on the Redis record, shown by GET /v1/recommendations.
 * An outcome of `confirmed` or `false_alarm` is final: another one is refused with 409 (a label that retraining may
 * already have used is not silently withdrawn). `unknown` can be replaced; the same outcome again is a harmless
 * replay (the label is keyed by start, device and fault type).
 */
import { AppError } from '../errors.js';
import { type FieldLabel, fieldLabelRow, validateLabels } from '../telemetry/field-labels.js';
import type { TelemetryWriter } from '../telemetry/writer.js';
import type { RecommendationOutcome, RecommendationStore, StoredRecommendation } from './recommendation-store.js';

export interface OutcomeInput {
  readonly outcome: RecommendationOutcome;
  /** Required for `confirmed`: what the fault was (a label fault type). */
  readonly fault_type?: string;
  /** The faulty device; default: the first device of the evidence, else the target. */
  readonly device?: string;
  /** When the fault began (epoch ms or ISO-8601); default: when the recommendation was created. */
  readonly start?: string | number;
  /** When the device failed; absent: caught before it failed. */
  readonly failure?: string | number;
  readonly note?: string;
}

export interface RecordedOutcome {
  readonly recommendation: StoredRecommendation;
  readonly label?: FieldLabel;
}

/** The label a confirmed outcome stands for, validated like any other. */
export function confirmedLabel(rec: StoredRecommendation, input: OutcomeInput): FieldLabel {
  const { target, evidence } = rec.action;
  if (!input.fault_type) {
    throw new AppError('VALIDATION_FAILED', 'fault_type is required for a confirmed outcome', {
      errors: [{ row: 0, field: 'fault_type', reason: 'required for a confirmed outcome' }],
    });
  }
  const device = input.device ?? evidence.devices[0] ?? target.id;
  const row: Record<string, unknown> = {
    device,
    fault_type: input.fault_type,
    start: input.start ?? rec.createdAt,
    failure: input.failure,
    source: 'operator',
    note: input.note ?? '',
    cluster: target.cluster,
    // The target's rack and node describe the faulty device only when it is the target or on the target node.
    ...(device === target.id || device.startsWith(`${target.node ?? target.id}/`)
      ? { rack: target.rack, ...(target.node ? { node: target.node } : {}) }
      : {}),
  };
  const { labels, errors } = validateLabels([row]);
  if (errors.length > 0)
    throw new AppError('VALIDATION_FAILED', 'the confirmed fault is not a valid label', { errors });
  return { ...labels[0], recommendationId: rec.id };
}

const FINAL: ReadonlySet<RecommendationOutcome> = new Set(['confirmed', 'false_alarm']);

export async function recordOutcome(
  deps: { readonly store: RecommendationStore; readonly writer: TelemetryWriter },
  id: string,
  input: OutcomeInput,
  actor: string,
  now = Date.now(),
): Promise<RecordedOutcome> {
  const rec = await deps.store.require(id);
  const previous = rec.outcome?.value;
  if (previous && previous !== input.outcome && FINAL.has(previous)) {
    throw new AppError('CONFLICT', `recommendation ${id} is already marked ${previous}`, {
      id,
      outcome: previous,
      wanted: input.outcome,
    });
  }
  const label = input.outcome === 'confirmed' ? confirmedLabel(rec, input) : undefined;
  if (label) await deps.writer.writeDurable('fault_labels', [fieldLabelRow(label)]);
  const { action } = rec;
  await deps.writer.writeDurable('recommendation_outcomes', [
    {
      ts: now,
      symbols: {
        id,
        outcome: input.outcome,
        type: action.type,
        target: action.target.id,
        cluster: action.target.cluster,
        actor,
        ...(label ? { fault_type: label.faultType, label_device: label.device } : {}),
      },
      strings: { note: input.note ?? '' },
      ...(label ? { timestamps: { label_ts: label.start } } : {}),
    },
  ]);
  const recommendation = await deps.store.setOutcome(id, input.outcome, actor, now);
  return { recommendation, ...(label ? { label } : {}) };
}
