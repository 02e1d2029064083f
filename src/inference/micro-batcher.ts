/**
 * Micro-batching for one model version: concurrent requests are concatenated along the batch axis into one
 * session run, so throughput grows with load while a lone request is dispatched at once.
 *
 * Policy: while fewer than `concurrency` batches are in flight, whatever is queued leaves on the next turn of the
 * event loop (requests parsed in the same turn share a batch). When every worker is busy, requests wait for one
 * to finish, but never longer than `maxWaitMs`; a batch never exceeds `maxBatch` rows (large requests are split
 * and reassembled). Each request gets back exactly its own rows.
 */

export interface BatchTensor {
  readonly data: Float32Array;
  readonly dims: readonly number[];
}

export type BatchOutputs = Readonly<Record<string, BatchTensor>>;

export interface MicroBatcherOptions {
  readonly maxBatch: number;
  readonly maxWaitMs: number;
  /** Batches that may be in flight at once (workers × pipeline depth). */
  readonly concurrency: number;
  /** Dims of one row, e.g. [T, F]. */
  readonly rowDims: readonly number[];
  /** Run one concatenated batch; `input` may be transferred away. */
  readonly run: (input: Float32Array, dims: number[]) => Promise<BatchOutputs>;
  /** Observe each dispatched batch (rows, and requests in it). */
  readonly onBatch?: (rows: number, requests: number) => void;
}

interface Request {
  readonly data: Float32Array;
  readonly rows: number;
  remaining: number;
  failed: boolean;
  outputs?: Record<string, { data: Float32Array; dims: number[] }>;
  resolve: (o: BatchOutputs) => void;
  reject: (e: unknown) => void;
}

interface Segment {
  readonly req: Request;
  readonly start: number;
  readonly count: number;
}

export class MicroBatcher {
  private readonly queue: Segment[] = [];
  private queuedRows = 0;
  private inFlight = 0;
  private immediate: NodeJS.Immediate | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly rowSize: number;

  constructor(private readonly opts: MicroBatcherOptions) {
    this.rowSize = opts.rowDims.reduce((a, b) => a * b, 1);
  }

  /** Rows queued or running; zero means the batcher holds no work. */
  get busy(): boolean {
    return this.inFlight > 0 || this.queue.length > 0;
  }

  submit(data: Float32Array, rows: number): Promise<BatchOutputs> {
    return new Promise<BatchOutputs>((resolve, reject) => {
      const req: Request = { data, rows, remaining: rows, failed: false, resolve, reject };
      for (let start = 0; start < rows; start += this.opts.maxBatch) {
        const count = Math.min(this.opts.maxBatch, rows - start);
        this.queue.push({ req, start, count });
        this.queuedRows += count;
      }
      this.schedule();
    });
  }

  private schedule(): void {
    while (this.queuedRows >= this.opts.maxBatch) this.flush();
    if (this.queue.length === 0) return;
    if (this.inFlight < this.opts.concurrency) {
      this.immediate ??= setImmediate(() => this.flush());
    } else {
      this.timer ??= setTimeout(() => this.flush(), this.opts.maxWaitMs);
    }
  }

  private flush(): void {
    if (this.immediate) clearImmediate(this.immediate);
    if (this.timer) clearTimeout(this.timer);
    this.immediate = undefined;
    this.timer = undefined;
    const batch: Segment[] = [];
    let rows = 0;
    while (this.queue.length > 0 && rows + this.queue[0].count <= this.opts.maxBatch) {
      const seg = this.queue.shift()!;
      if (seg.req.failed) {
        this.queuedRows -= seg.count;
        continue;
      }
      batch.push(seg);
      rows += seg.count;
    }
    this.queuedRows -= rows;
    if (batch.length === 0) return;
    const input = new Float32Array(rows * this.rowSize);
    let offset = 0;
    for (const seg of batch) {
      input.set(seg.req.data.subarray(seg.start * this.rowSize, (seg.start + seg.count) * this.rowSize), offset);
      offset += seg.count * this.rowSize;
    }
    this.opts.onBatch?.(rows, new Set(batch.map((s) => s.req)).size);
    this.inFlight++;
    const settle = (apply: () => void) => {
      this.inFlight--;
      apply();
      this.schedule();
    };
    this.opts.run(input, [rows, ...this.opts.rowDims]).then(
      (out) => settle(() => this.distribute(batch, rows, out)),
      (err) =>
        settle(() => {
          for (const seg of batch) this.fail(seg.req, err);
        }),
    );
  }

  private fail(req: Request, err: unknown): void {
    if (req.failed) return;
    req.failed = true;
    req.reject(err);
  }

  private distribute(batch: readonly Segment[], rows: number, out: BatchOutputs): void {
    for (const [name, t] of Object.entries(out)) {
      if (t.dims[0] !== rows || t.data.length % rows !== 0) {
        const err = new Error(`output ${name} has dims [${t.dims.join(',')}], expected a leading batch of ${rows}`);
        for (const seg of batch) this.fail(seg.req, err);
        return;
      }
    }
    let row = 0;
    for (const seg of batch) {
      const req = seg.req;
      if (req.failed) {
        row += seg.count;
        continue;
      }
      if (seg.count === req.rows && batch.length === 1) {
        // The whole batch is this one request: hand the arrays over as they are.
        req.remaining = 0;
        req.resolve(out);
        continue;
      }
      req.outputs ??= {};
      for (const [name, t] of Object.entries(out)) {
        const perRow = t.data.length / rows;
        let dst = req.outputs[name];
        if (!dst) {
          dst = { data: new Float32Array(req.rows * perRow), dims: [req.rows, ...t.dims.slice(1)] };
          req.outputs[name] = dst;
        }
        dst.data.set(t.data.subarray(row * perRow, (row + seg.count) * perRow), seg.start * perRow);
      }
      row += seg.count;
      req.remaining -= seg.count;
      if (req.remaining === 0) req.resolve(req.outputs);
    }
  }
}
