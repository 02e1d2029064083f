/**
 * Stable action ids: the same action on the same target for the same fault always gets the same id, whatever the
 * time or order of the detections. That is what lets the queue use the id as BullMQ `jobId` (idempotent enqueue)
 * and the policy recognise an action it already proposed.
 */
import { createHash } from 'node:crypto';
import type { ActionTarget, ActionType } from './types.js';

export function actionId(type: ActionType, target: Pick<ActionTarget, 'kind' | 'id'>, evidenceKey: string): string {
  const digest = createHash('sha256')
    .update(JSON.stringify([type, target.kind, target.id, evidenceKey]))
    .digest('hex');
  return `act_${digest.slice(0, 20)}`;
}
