import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UnrecoverableError } from 'bullmq';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { ExecutableAction } from './types.js';
import { SIGNATURE_HEADER, signBody, WebhookExecutor } from './webhook.js';

const log = pino({ level: 'silent' });
const action: ExecutableAction = {
  id: 'act_abc',
  type: 'reset_gpu',
  target: { kind: 'gpu', id: 'n1/2', cluster: 'c0', rack: 'r0', node: 'n1' },
  params: { reason: 'xid' },
  reason: 'XID 48',
  severity: 'warning',
  dryRun: false,
};

interface Received {
  body: string;
  headers: IncomingMessage['headers'];
}

let server: Server | undefined;
afterEach(() => {
  server?.closeAllConnections();
  server?.close();
  server = undefined;
});

async function listen(handler: (req: Received, res: ServerResponse) => void): Promise<string> {
  const s = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handler({ body: Buffer.concat(chunks).toString('utf8'), headers: req.headers }, res));
  });
  server = s;
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}/hook`;
}

describe('webhook executor', () => {
  it('signs the exact body with HMAC-SHA256', () => {
    const expected = createHmac('sha256', 's3cret').update('{"a":1}').digest('hex');
    expect(signBody('s3cret', '{"a":1}')).toBe(`sha256=${expected}`);
    expect(signBody('other', '{"a":1}')).not.toBe(`sha256=${expected}`);
  });

  it('POSTs the action as signed JSON that the receiver can verify', async () => {
    const got: Received[] = [];
    const url = await listen((req, res) => {
      got.push(req);
      res.writeHead(202).end('accepted');
    });
    const out = await new WebhookExecutor({ url, secret: 'k' }).execute(action, {
      dryRun: false,
      attempt: 2,
      idempotencyKey: 'act_abc-2',
      log,
    });
    expect(out).toEqual({ result: 'succeeded', detail: `POST ${url} → 202 accepted` });
    expect(got).toHaveLength(1);
    const [req] = got;
    expect(req.headers[SIGNATURE_HEADER]).toBe(signBody('k', req.body));
    // The execution's key (here its second occurrence), not the bare action id: a new occurrence is a new action.
    expect(req.headers['idempotency-key']).toBe('act_abc-2');
    expect(JSON.parse(req.body)).toMatchObject({
      id: 'act_abc',
      idempotencyKey: 'act_abc-2',
      type: 'reset_gpu',
      attempt: 2,
      target: action.target,
    });
  });

  it('fails transiently on 5xx and timeouts, finally on other 4xx', async () => {
    let status = 503;
    let hang = false;
    const url = await listen((_req, res) => {
      if (!hang) res.writeHead(status).end('nope');
    });
    const exec = new WebhookExecutor({ url, secret: 'k', timeoutMs: 300 });
    const ctx = { dryRun: false, attempt: 1, idempotencyKey: 'act_abc', log };
    const e503 = await exec.execute(action, ctx).catch((e: unknown) => e);
    expect(e503).toBeInstanceOf(Error);
    expect(e503).not.toBeInstanceOf(UnrecoverableError);
    status = 422;
    await expect(exec.execute(action, ctx)).rejects.toBeInstanceOf(UnrecoverableError);
    hang = true;
    const timeout = await exec.execute(action, ctx).catch((e: unknown) => e);
    expect(timeout).not.toBeInstanceOf(UnrecoverableError);
    expect(String(timeout)).toMatch(/webhook POST failed/);
  });

  it('sends nothing in dry-run and refuses to start without a secret', async () => {
    let hits = 0;
    const url = await listen((_req, res) => {
      hits++;
      res.end();
    });
    const out = await new WebhookExecutor({ url, secret: 'k' }).execute(action, {
      dryRun: true,
      attempt: 1,
      idempotencyKey: 'act_abc',
      log,
    });
    expect(out.result).toBe('dry-run');
    expect(hits).toBe(0);
    expect(() => new WebhookExecutor({ url, secret: '' })).toThrow(/SECRET/);
  });
});
