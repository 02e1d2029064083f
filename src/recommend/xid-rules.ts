/**
 * XID → action table, after NVIDIA's Xid catalogue ("Xid Errors" and "Analyzing Xid Errors with the Xid
 * Catalog", docs.nvidia.com/deploy/xid-errors) and its GPU debug guidelines: each XID names a resolution bucket
 * (RESTART_APP, RESET_GPU, RESTART_BM / reboot, CONTACT_SUPPORT) which we map to our action types.
 *
 * How an entry's actions are applied to the device that raised the XID (rules/hardware-events.ts):
 * - `drain_node`          cordons the device's node and evicts its jobs;
 * - `reset_gpu`           resets the device; after the drain when the entry also drains, else at once (the work on
 *                         the GPU is already lost) or, with `whenIdle`, once no process uses the GPU;
 * - `reboot_node`         reboots the node, after the drain;
 * - `restart_application` restarts each job running on the device (nothing to do when none runs there);
 * - `open_ticket`         opens a ticket of `ticketKind` for the device.
 * `recurrence` escalates to a ticket when the same XID repeats on the device within the lookback: a fault that
 * keeps coming back after the immediate action is no longer transient.
 */
import { AppError } from '../errors.js';
import type { ActionType, Severity, TicketKind } from './types.js';

export interface XidActionSpec {
  readonly type: ActionType;
  readonly ticketKind?: TicketKind;
  /** `reset_gpu` only: wait until the GPU is idle instead of resetting it now. */
  readonly whenIdle?: boolean;
}

export interface XidRule {
  readonly code: number;
  readonly mnemonic: string;
  /** What the driver is telling us, in words an operator reads in the action's reason. */
  readonly meaning: string;
  readonly cause: 'hardware' | 'application' | 'driver' | 'informational';
  /** The fault this XID reports, when ECC counters can report the same fault (then both share action ids). */
  readonly fault?: 'dbe' | 'row-remap-pending' | 'row-remap-failure' | 'sbe-rate';
  readonly severity: Severity;
  /** How sure an XID makes us of the fault (XIDs are facts; the cause behind some is ambiguous). */
  readonly confidence: number;
  readonly actions: readonly XidActionSpec[];
  readonly recurrence?: { readonly count: number; readonly ticketKind: TicketKind };
}

export const XID_RULES: readonly XidRule[] = [
  {
    // Graphics engine exception: usually the application (bad kernel); NVIDIA bucket RESTART_APP.
    code: 13,
    mnemonic: 'GR_EXCEPTION',
    meaning: 'graphics engine exception (usually an application fault)',
    cause: 'application',
    severity: 'warning',
    confidence: 0.7,
    actions: [{ type: 'restart_application' }],
    recurrence: { count: 3, ticketKind: 'hardware' },
  },
  {
    // GPU memory page fault (MMU fault): an illegal address, almost always the application (OOM-adjacent bugs,
    // bad pointers). Restart the app; if it keeps happening across restarts, suspect the hardware.
    code: 31,
    mnemonic: 'FIFO_MMU_ERR',
    meaning: 'GPU memory page fault (application accessed an invalid address)',
    cause: 'application',
    severity: 'warning',
    confidence: 0.7,
    actions: [{ type: 'restart_application' }],
    recurrence: { count: 3, ticketKind: 'hardware' },
  },
  {
    // GPU stopped processing: the driver reset a channel after an application fault; the GPU itself is fine.
    code: 43,
    mnemonic: 'RESETCHANNEL_VERIF_ERROR',
    meaning: 'GPU stopped processing the application (channel reset after an application fault)',
    cause: 'application',
    severity: 'warning',
    confidence: 0.7,
    actions: [{ type: 'restart_application' }],
    recurrence: { count: 3, ticketKind: 'hardware' },
  },
  {
    // Preemptive cleanup after an earlier error (the process was killed): a consequence, never a cause.
    code: 45,
    mnemonic: 'PREEMPTIVE_REMOVAL',
    meaning: 'preemptive cleanup after a previous error (informational)',
    cause: 'informational',
    severity: 'info',
    confidence: 0.5,
    actions: [],
  },
  {
    // Double-bit (uncorrectable) ECC error. Drain, then reset so the row remapper applies the remap; when the
    // remap then fails the driver raises XID 64 (below), which opens the RMA ticket.
    code: 48,
    mnemonic: 'DBE',
    meaning: 'double-bit (uncorrectable) ECC error',
    cause: 'hardware',
    fault: 'dbe',
    severity: 'critical',
    confidence: 0.98,
    actions: [{ type: 'drain_node' }, { type: 'reset_gpu' }],
  },
  {
    // Row remapping (Ampere+) or page retirement (older) recorded a bad row; it takes effect at the next GPU reset.
    code: 63,
    mnemonic: 'ROW_REMAP_PENDING',
    meaning: 'row remapping recorded, pending until the next GPU reset',
    cause: 'hardware',
    fault: 'row-remap-pending',
    severity: 'warning',
    confidence: 0.95,
    actions: [{ type: 'reset_gpu', whenIdle: true }],
  },
  {
    // Row remapping / page retirement FAILED: the memory cannot be repaired in the field. RMA.
    code: 64,
    mnemonic: 'ROW_REMAP_FAILURE',
    meaning: 'row remapping failed (memory cannot be repaired in place)',
    cause: 'hardware',
    fault: 'row-remap-failure',
    severity: 'critical',
    confidence: 0.98,
    actions: [{ type: 'drain_node' }, { type: 'open_ticket', ticketKind: 'rma' }],
  },
  {
    // NVLink error: a link or its peer is faulty; reset to retrain the link and have the hardware inspected.
    code: 74,
    mnemonic: 'NVLINK_ERROR',
    meaning: 'NVLink error (link or peer fault)',
    cause: 'hardware',
    severity: 'critical',
    confidence: 0.9,
    actions: [{ type: 'open_ticket', ticketKind: 'nvlink' }, { type: 'reset_gpu' }],
  },
  {
    // GPU has fallen off the bus: unreachable over PCIe; only a node reboot brings it back, and the cause
    // (power, PCIe, board) needs hands on the hardware.
    code: 79,
    mnemonic: 'GPU_FELL_OFF_BUS',
    meaning: 'GPU has fallen off the bus (unreachable over PCIe)',
    cause: 'hardware',
    severity: 'critical',
    confidence: 0.99,
    actions: [{ type: 'drain_node' }, { type: 'reboot_node' }, { type: 'open_ticket', ticketKind: 'hardware' }],
  },
  {
    // High single-bit ECC error rate: still corrected, but a leading indicator of uncorrectable errors.
    code: 92,
    mnemonic: 'HIGH_SBE_RATE',
    meaning: 'high single-bit ECC error rate',
    cause: 'hardware',
    fault: 'sbe-rate',
    severity: 'warning',
    confidence: 0.85,
    actions: [{ type: 'open_ticket', ticketKind: 'maintenance' }],
  },
  {
    // Contained ECC error: the driver contained it to the applications that touched the memory; only they die.
    code: 94,
    mnemonic: 'CONTAINED_ECC',
    meaning: 'contained ECC error (only the affected application is hit)',
    cause: 'hardware',
    severity: 'warning',
    confidence: 0.9,
    actions: [{ type: 'restart_application' }],
  },
  {
    // Uncontained ECC error: every application on the GPU is affected; the GPU must be reset (drain first).
    code: 95,
    mnemonic: 'UNCONTAINED_ECC',
    meaning: 'uncontained ECC error (all work on the GPU is affected)',
    cause: 'hardware',
    severity: 'critical',
    confidence: 0.98,
    actions: [{ type: 'drain_node' }, { type: 'reset_gpu' }],
  },
  {
    // GSP RPC timeout: the GPU System Processor firmware stopped answering; a reset recovers it. Recurring ones
    // point at the driver / firmware.
    code: 119,
    mnemonic: 'GSP_RPC_TIMEOUT',
    meaning: 'GSP firmware RPC timeout',
    cause: 'driver',
    severity: 'critical',
    confidence: 0.9,
    actions: [{ type: 'reset_gpu' }],
    recurrence: { count: 2, ticketKind: 'driver' },
  },
  {
    // GSP error: the GPU System Processor reported an internal error; same handling as 119.
    code: 120,
    mnemonic: 'GSP_ERROR',
    meaning: 'GSP firmware error',
    cause: 'driver',
    severity: 'critical',
    confidence: 0.9,
    actions: [{ type: 'reset_gpu' }],
    recurrence: { count: 2, ticketKind: 'driver' },
  },
];

const BY_CODE: ReadonlyMap<number, XidRule> = new Map(XID_RULES.map((r) => [r.code, r]));

/** The rule for an XID code, or undefined for codes the table does not know (they are logged, not acted on). */
export function xidRule(code: number): XidRule | undefined {
  return BY_CODE.get(code);
}

/** The rule that reports `fault` (ECC counter evidence borrows its actions, so both paths act alike). */
export function xidRuleForFault(fault: NonNullable<XidRule['fault']>): XidRule {
  const rule = XID_RULES.find((r) => r.fault === fault);
  if (rule === undefined) throw new AppError('INTERNAL', `no XID rule reports fault ${fault}`);
  return rule;
}
