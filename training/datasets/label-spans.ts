/**
 * Which fault labels concern a device, and how: ONE rule for training (entities.ts: per-row status) and
 * evaluation (evaluate/sources.ts: labelled events and failures).
 *
 * - a label naming the device (a GPU fault): symptomatic from onset to failure, the device's own failure, then down;
 *   a degradation caught before it failed (`caught`, a field label without failure time) is symptomatic over its
 *   span and nothing more: an event for the anomaly detector, no failure for the fault and ttf targets;
 * - a straggler names its job, its node/gpu is the slow GPU: symptomatic, then drained (down), but no failure;
 * - a facility incident names the rack: every GPU of the rack is symptomatic until the rack has recovered
 *   (`facilityRecoveryMs` after the label's failureTs, the simulator's recovery); no device fails or goes down.
 */
import { deviceId, type FaultLabel } from '../../src/telemetry/catalogue.js';

/** How long a facility incident keeps heating a rack's GPUs after its failureTs (the simulator's recovery). */
export const FACILITY_RECOVERY_MS = 15 * 60_000;

export interface LabelSpan {
  /** Epoch ms, inclusive: the symptomatic span. */
  readonly start: number;
  readonly end: number;
  readonly kind: string;
  /** One id per label (a rack-wide incident is one label on every GPU of the rack). */
  readonly label: string;
  /** The device's own failure at `end`. */
  readonly failure: boolean;
  /** The device is taken out of service at `end` (its failure, or a straggler's drain). */
  readonly down: boolean;
}

export function labelSpansFor(
  device: string,
  rack: string | undefined,
  labels: readonly FaultLabel[],
  facilityRecoveryMs = FACILITY_RECOVERY_MS,
): LabelSpan[] {
  const out: LabelSpan[] = [];
  for (const l of labels) {
    const kind = l.faultType;
    const label = `${kind}@${l.device}@${l.onsetTs}`;
    if (l.device === device) {
      const failed = l.caught !== true;
      out.push({ start: l.onsetTs, end: l.failureTs, kind, label, failure: failed, down: failed });
    } else if (kind === 'straggler' && l.node && l.gpu && deviceId(l.node, l.gpu) === device)
      out.push({ start: l.onsetTs, end: l.failureTs, kind, label, failure: false, down: true });
    else if (kind === 'facility_cooling_failure' && rack !== undefined && l.device === rack)
      out.push({ start: l.onsetTs, end: l.failureTs + facilityRecoveryMs, kind, label, failure: false, down: false });
  }
  return out.sort((a, b) => a.start - b.start);
}
