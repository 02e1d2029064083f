/** The default executor: logs what it would do; the worker audits it like any other execution. */
import type { ActionExecutor, ExecutableAction, ExecutionContext, ExecutionOutcome } from './types.js';

export function describeAction(action: ExecutableAction): string {
  const params = Object.entries(action.params ?? {})
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('|') : String(v)}`)
    .join(' ');
  return `${action.type} ${action.target.kind} ${action.target.id}${params ? ` (${params})` : ''}: ${action.reason}`;
}

export class DryRunExecutor implements ActionExecutor {
  readonly name = 'dry-run';

  async execute(action: ExecutableAction, ctx: ExecutionContext): Promise<ExecutionOutcome> {
    const detail = `would ${describeAction(action)}`;
    ctx.log.info({ actionId: action.id, attempt: ctx.attempt }, detail);
    return { result: 'dry-run', detail };
  }
}
