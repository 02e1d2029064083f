/**
 * Hardware evidence that is ground truth on its own becomes a fault label, source `xid`, with no one having to
 * say so: an XID 48 (double-bit ECC error), 64 (row remapping failed: the memory cannot be repaired in place; the
 * remapped-row failure), 79 (GPU fell off the bus) or 95 (uncontained ECC error) logged in a gpu_metrics sample
 * (`xid_count` > 0 and `xid_last` the code). Pure: telemetry rows in, labels out.
 *
 * The failure is the event itself, so start = failure = the sample's time (the symptoms before it are what a model
 * should learn to see). One label per device and fault type per batch (a burst over consecutive samples is one
 * failure: its first sample); a replayed batch gives the same labels, which `fault_labels` deduplicates on
 * (start, device, fault type).
 */
import { deviceId, type TelemetryRow } from './catalogue.js';
import type { FieldLabel, LabelFaultType } from './field-labels.js';

/** The XIDs that are a failure in themselves, and the fault type each labels. */
export const GROUND_TRUTH_XIDS: Readonly<Record<number, { faultType: LabelFaultType; meaning: string }>> = {
  48: { faultType: 'ecc_storm', meaning: 'double-bit ECC error' },
  64: { faultType: 'row_remap_failure', meaning: 'row remapping failed' },
  79: { faultType: 'gpu_fell_off_bus', meaning: 'GPU fell off the bus' },
  95: { faultType: 'uncontained_ecc', meaning: 'uncontained ECC error' },
};

/** gpu_metrics rows (as validated for ingest) → the labels their XIDs stand for. */
export function xidLabels(rows: readonly TelemetryRow[]): FieldLabel[] {
  const seen = new Set<string>();
  const out: FieldLabel[] = [];
  for (const r of [...rows].sort((a, b) => a.ts - b.ts)) {
    const code = r.values.xid_last;
    const truth = GROUND_TRUTH_XIDS[code];
    if (!truth || !(r.values.xid_count > 0)) continue;
    const { node, gpu, cluster, rack } = r.symbols;
    if (!node || gpu === undefined) continue;
    const device = deviceId(node, gpu);
    const key = `${device}|${truth.faultType}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({
      device,
      faultType: truth.faultType,
      start: r.ts,
      failure: r.ts,
      source: 'xid',
      note: `XID ${code} (${truth.meaning}) in gpu_metrics`,
      node,
      gpu,
      ...(cluster ? { cluster } : {}),
      ...(rack ? { rack } : {}),
      xid: code,
    });
  }
  return out;
}
