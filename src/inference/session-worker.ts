/**
 * Worker-thread entry: holds ONNX Runtime sessions keyed `<name>@<version>` and runs batches on them, so the
 * synchronous native `session.run()` never blocks the API's event loop. Messages are handled strictly in order.
 */
import { parentPort } from 'node:worker_threads';
import { AppError } from '../errors.js';
import { type OpenedSession, openSession, runSession } from './ort-session.js';
import type { FromWorker, ToWorker } from './worker-protocol.js';

const port = parentPort;
if (!port) throw new Error('session-worker must run in a worker thread');

const sessions = new Map<string, OpenedSession>();

function reply(msg: FromWorker, transfer: ArrayBuffer[] = []): void {
  port?.postMessage(msg, transfer);
}

async function handle(msg: ToWorker): Promise<void> {
  try {
    if (msg.type === 'load') {
      const existing = sessions.get(msg.key);
      const opened = existing ?? (await openSession(msg.path, msg.providers, msg.options));
      sessions.set(msg.key, opened);
      reply({ type: 'loaded', id: msg.id, session: opened.info });
    } else if (msg.type === 'run') {
      const opened = sessions.get(msg.key);
      if (!opened) throw new AppError('INFERENCE_FAILED', `session ${msg.key} is not loaded in this worker`);
      const started = performance.now();
      const outputs = await runSession(opened, msg.input);
      const runMs = performance.now() - started;
      reply(
        { type: 'result', id: msg.id, outputs, runMs },
        Object.values(outputs).map((o) => o.data),
      );
    } else {
      const opened = sessions.get(msg.key);
      sessions.delete(msg.key);
      await opened?.session.release();
      reply({ type: 'released', id: msg.id });
    }
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    reply({
      type: 'failed',
      id: msg.id,
      message: e.message.split('\n')[0],
      code: err instanceof AppError ? err.code : undefined,
      details: err instanceof AppError ? err.details : undefined,
    });
  }
}

// Chain handlers so a load and the runs queued behind it keep their order.
let chain: Promise<void> = Promise.resolve();
port.on('message', (msg: ToWorker) => {
  chain = chain.then(() => handle(msg));
});
