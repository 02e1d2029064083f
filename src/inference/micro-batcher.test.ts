import { describe, expect, test } from 'vitest';
import { type BatchOutputs, MicroBatcher, type MicroBatcherOptions } from './micro-batcher.js';

const ROW = [2, 3]; // each row is a 2x3 window: 6 values

/** Rows whose every value is `base + i` so a response shows which rows it got. */
function rowsOf(base: number, count: number): Float32Array {
  const out = new Float32Array(count * 6);
  for (let r = 0; r < count; r++) out.fill(base + r, r * 6, (r + 1) * 6);
  return out;
}

/** A fake session: `double` = 2x input, `first` = first value of each row. Records each batch's row count. */
function harness(over: Partial<MicroBatcherOptions> = {}) {
  const batches: number[] = [];
  const gates: Array<() => void> = [];
  let gated = false;
  const run = async (input: Float32Array, dims: number[]): Promise<BatchOutputs> => {
    batches.push(dims[0]);
    if (gated) await new Promise<void>((r) => gates.push(r));
    const first = new Float32Array(dims[0]);
    for (let r = 0; r < dims[0]; r++) first[r] = input[r * 6];
    return { double: { data: input.map((v) => v * 2), dims }, first: { data: first, dims: [dims[0], 1] } };
  };
  const batcher = new MicroBatcher({ maxBatch: 64, maxWaitMs: 60_000, concurrency: 1, rowDims: ROW, run, ...over });
  return {
    batcher,
    batches,
    gate: () => {
      gated = true;
    },
    open: () => {
      gated = false;
      for (const g of gates.splice(0)) g();
    },
  };
}

async function until(cond: () => boolean, ms = 2_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setImmediate(r));
  }
}

describe('MicroBatcher', () => {
  test('a lone request is dispatched at once, not after maxWaitMs', async () => {
    const h = harness({ maxWaitMs: 60_000 });
    const out = await h.batcher.submit(rowsOf(5, 1), 1);
    expect(h.batches).toEqual([1]);
    expect(Array.from(out.first.data)).toEqual([5]);
    expect(out.double.dims).toEqual([1, 2, 3]);
  });

  test('requests arriving together share one batch and each gets exactly its rows', async () => {
    const h = harness();
    const results = await Promise.all([
      h.batcher.submit(rowsOf(10, 2), 2),
      h.batcher.submit(rowsOf(20, 3), 3),
      h.batcher.submit(rowsOf(30, 1), 1),
    ]);
    expect(h.batches).toEqual([6]);
    expect(Array.from(results[0].first.data)).toEqual([10, 11]);
    expect(Array.from(results[1].first.data)).toEqual([20, 21, 22]);
    expect(Array.from(results[2].first.data)).toEqual([30]);
    expect(results[1].double.dims).toEqual([3, 2, 3]);
    expect(Array.from(results[1].double.data.subarray(6, 12))).toEqual(new Array(6).fill(42));
  });

  test('while the worker is busy, requests queue up and leave together when it frees', async () => {
    const h = harness();
    h.gate();
    const first = h.batcher.submit(rowsOf(1, 1), 1);
    await until(() => h.batches.length === 1);
    const later = [2, 3, 4, 5].map((b) => h.batcher.submit(rowsOf(b * 10, 1), 1));
    await new Promise((r) => setTimeout(r, 20));
    expect(h.batches).toEqual([1]); // nothing else dispatched while busy (maxWaitMs is large)
    h.open();
    await first;
    const outs = await Promise.all(later);
    expect(h.batches).toEqual([1, 4]);
    expect(outs.map((o) => o.first.data[0])).toEqual([20, 30, 40, 50]);
  });

  test('maxWaitMs bounds the wait even when every worker is busy', async () => {
    const h = harness({ maxWaitMs: 5 });
    h.gate();
    const first = h.batcher.submit(rowsOf(1, 1), 1);
    await until(() => h.batches.length === 1);
    const second = h.batcher.submit(rowsOf(2, 1), 1);
    await until(() => h.batches.length === 2); // dispatched while the first is still running
    h.open();
    expect((await first).first.data[0]).toBe(1);
    expect((await second).first.data[0]).toBe(2);
  });

  test('a request larger than maxBatch is split and reassembled in order', async () => {
    const h = harness({ maxBatch: 4 });
    const out = await h.batcher.submit(rowsOf(100, 10), 10);
    expect(h.batches.reduce((a, b) => a + b, 0)).toBe(10);
    expect(Math.max(...h.batches)).toBeLessThanOrEqual(4);
    expect(Array.from(out.first.data)).toEqual([100, 101, 102, 103, 104, 105, 106, 107, 108, 109]);
  });

  test('a failed batch rejects only its own requests', async () => {
    let calls = 0;
    const h = harness({
      run: async (input, dims) => {
        calls++;
        if (calls === 1) throw new Error('boom');
        return { out: { data: input, dims } };
      },
    });
    await expect(h.batcher.submit(rowsOf(1, 1), 1)).rejects.toThrow('boom');
    const ok = await h.batcher.submit(rowsOf(7, 1), 1);
    expect(ok.out.data[0]).toBe(7);
    expect(h.batcher.busy).toBe(false);
  });

  test('a model that drops the batch axis fails the batch with a clear error', async () => {
    const h = harness({ run: async () => ({ out: { data: new Float32Array(3), dims: [3] } }) });
    await expect(Promise.all([h.batcher.submit(rowsOf(1, 2), 2), h.batcher.submit(rowsOf(1, 2), 2)])).rejects.toThrow(
      /leading batch of 4/,
    );
  });
});
