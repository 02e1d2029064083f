/**
 * Ingest bench: rows per second into QuestDB for (a) the raw `@questdb/nodejs-client` Sender and (b) the HTTP
 * ingest API (validation + durable group-commit flush), on the same generated rows, in one run. Both wait for
 * QuestDB's acknowledgement of every row. Target: the API sustains at least 0.9 of the raw client's rate.
 */
import { Sender } from '@questdb/nodejs-client';
import { buildApp } from '../../src/api/app.js';
import { loadConfig } from '../../src/config.js';
import { GPU_METRICS } from '../../src/telemetry/catalogue.js';
import type { BenchContext, BenchReport } from './types.js';

const BATCH = 10_000;
const CONCURRENCY = 4;

/** Flat API rows with every gpu_metrics field (job_id where the GPU is busy); `tag` keeps each candidate's rows distinct. */
function makeRows(tag: string, n: number): Record<string, string | number>[] {
  const t0 = Date.UTC(2026, 2, 1);
  return Array.from({ length: n }, (_, i) => {
    const row: Record<string, string | number> = {
      ts: t0 + Math.floor(i / 256) * 10_000,
      cluster: `bench-${tag}`,
      rack: `r${(i >> 6) % 4}`,
      node: `bench-${tag}-n${(i >> 3) % 32}`,
      gpu: String(i % 8),
      gpu_model: 'H100',
    };
    // Busy GPUs carry their job (peer features read it); every eighth GPU is idle and carries none.
    if (i % 8 !== 7) row.job_id = `bench-${tag}-j${(i >> 5) % 8}`;
    for (const f of GPU_METRICS.fields) row[f.name] = f.type === 'long' ? i % 1000 : 40 + ((i * 7) % 500) / 10;
    return row;
  });
}

async function rawClient(httpUrl: string, rows: Record<string, string | number>[], batch: number): Promise<number> {
  const sender = await Sender.fromConfig(`http::addr=${new URL(httpUrl).host};auto_flush=off;`);
  const started = performance.now();
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    sender.table('gpu_metrics');
    // Optional symbols (job_id: idle GPUs run none) are left out, as the product's writer leaves them out.
    for (const s of GPU_METRICS.symbols) if (r[s] !== undefined) sender.symbol(s, String(r[s]));
    for (const f of GPU_METRICS.fields) {
      if (f.type === 'long') sender.intColumn(f.name, r[f.name] as number);
      else sender.floatColumn(f.name, r[f.name] as number);
    }
    await sender.at(r.ts as number, 'ms');
    if ((i + 1) % batch === 0) await sender.flush();
  }
  await sender.flush();
  const seconds = (performance.now() - started) / 1000;
  await sender.close();
  return seconds;
}

async function httpApi(rows: Record<string, string | number>[], batch: number): Promise<number> {
  const config = loadConfig({ ...process.env, API_PORT: '0', API_ANONYMOUS_ROLE: 'admin', LOG_LEVEL: 'warn' });
  const app = await buildApp({ config, logger: false });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const bodies: string[] = [];
  for (let i = 0; i < rows.length; i += batch) bodies.push(JSON.stringify({ rows: rows.slice(i, i + batch) }));
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++];
        const res = await fetch(`http://127.0.0.1:${port}/v1/telemetry/gpu`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        });
        if (res.status !== 200) throw new Error(`ingest API answered ${res.status}: ${await res.text()}`);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await app.close();
  return seconds;
}

export async function run({ sizes }: BenchContext): Promise<BenchReport> {
  const count = sizes.ingestRows;
  const batch = Math.min(BATCH, count);
  const config = loadConfig();
  const raw = makeRows('raw', count);
  const api = makeRows('api', count);
  // Warm both paths once (JIT, connections, table metadata), then measure.
  await rawClient(config.questdb.httpUrl, makeRows('warm', batch), batch);
  const rawS = await rawClient(config.questdb.httpUrl, raw, batch);
  // The raw client as concurrent as the API's clients: CONCURRENCY Senders, each with its share of the rows.
  const rawParallel = makeRows('rawp', count);
  const share = Math.ceil(count / CONCURRENCY);
  const parallelStarted = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, (_, k) =>
      rawClient(config.questdb.httpUrl, rawParallel.slice(k * share, (k + 1) * share), batch),
    ),
  );
  const rawParallelS = (performance.now() - parallelStarted) / 1000;
  const apiS = await httpApi(api, batch);
  const rawRate = count / rawS;
  const rawParallelRate = count / rawParallelS;
  const apiRate = count / apiS;
  return {
    suite: 'ingest',
    method:
      `${count} gpu_metrics rows with all ${GPU_METRICS.fields.length} fields; raw: one Sender, flush every ${batch} rows, ` +
      `and ${CONCURRENCY} Senders at once, each with a quarter of the rows; ` +
      `API: POST /v1/telemetry/gpu batches of ${batch} (pre-serialised JSON), ${CONCURRENCY} concurrent clients, ` +
      'in-process server on 127.0.0.1; both count time until QuestDB acknowledged every row. One run after a warm-up.',
    rows: [
      { candidate: 'raw @questdb/nodejs-client', seconds: rawS.toFixed(2), 'rows/s': Math.round(rawRate) },
      {
        candidate: `raw @questdb/nodejs-client, ${CONCURRENCY} Senders at once`,
        seconds: rawParallelS.toFixed(2),
        'rows/s': Math.round(rawParallelRate),
      },
      { candidate: 'HTTP ingest API', seconds: apiS.toFixed(2), 'rows/s': Math.round(apiRate) },
    ],
    summary: {
      'API / raw': `${(apiRate / rawRate).toFixed(2)} (target >= 0.9)`,
      [`API / raw with ${CONCURRENCY} Senders`]: (apiRate / rawParallelRate).toFixed(2),
    },
  };
}
