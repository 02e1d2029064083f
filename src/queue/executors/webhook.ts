/**
 * Webhook executor: POSTs the action as JSON to a configured URL, signed with HMAC-SHA256 over the exact body
 * bytes (`x-fleetsense-signature: sha256=<hex>`), so the receiver can verify who sent it and that nothing changed.
 * `idempotency-key` carries the execution's key (the action id, plus the occurrence from the second on): every
 * attempt of one execution sends the same key, so a receiver that deduplicates on it applies the action once even
 * when it is delivered twice (at-least-once: a worker killed after the POST retries it). The body's `attempt` says
 * which delivery this is.
 * Failures: network errors, timeouts, 408/429 and 5xx are transient (the job retries with backoff); other 4xx mean
 * the receiver refuses this action, and retrying will not change that (UnrecoverableError).
 */
import { createHmac } from 'node:crypto';
import { UnrecoverableError } from 'bullmq';
import { ConfigError } from '../../errors.js';
import { describeAction } from './dry-run.js';
import type { ActionExecutor, ExecutableAction, ExecutionContext, ExecutionOutcome } from './types.js';

export const SIGNATURE_HEADER = 'x-fleetsense-signature';

export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export interface WebhookExecutorOptions {
  readonly url: string;
  readonly secret: string;
  /** @defaultValue 10000 */
  readonly timeoutMs?: number;
}

export class WebhookExecutor implements ActionExecutor {
  readonly name = 'webhook';
  private readonly timeoutMs: number;

  constructor(private readonly opts: WebhookExecutorOptions) {
    if (!/^https?:\/\//.test(opts.url)) throw new ConfigError('REMEDIATION_WEBHOOK_URL must be an http(s) URL');
    if (!opts.secret) throw new ConfigError('REMEDIATION_WEBHOOK_SECRET must be set for the webhook executor');
    this.timeoutMs = opts.timeoutMs ?? 10_000;
  }

  async execute(action: ExecutableAction, ctx: ExecutionContext): Promise<ExecutionOutcome> {
    if (ctx.dryRun) {
      return { result: 'dry-run', detail: `would POST to ${this.opts.url}: ${describeAction(action)}` };
    }
    const body = JSON.stringify({
      id: action.id,
      type: action.type,
      target: action.target,
      params: action.params ?? {},
      severity: action.severity,
      reason: action.reason,
      idempotencyKey: ctx.idempotencyKey,
      attempt: ctx.attempt,
      sentAt: new Date().toISOString(),
    });
    let res: Response;
    try {
      res = await fetch(this.opts.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [SIGNATURE_HEADER]: signBody(this.opts.secret, body),
          'idempotency-key': ctx.idempotencyKey,
        },
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw new Error(`webhook POST failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    const text = (await res.text().catch(() => '')).slice(0, 500);
    if (res.ok) return { result: 'succeeded', detail: `POST ${this.opts.url} → ${res.status} ${text}`.trim() };
    const message = `webhook answered ${res.status}: ${text}`;
    if (res.status >= 500 || res.status === 408 || res.status === 429) throw new Error(message);
    throw new UnrecoverableError(message);
  }
}
