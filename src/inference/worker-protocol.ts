/**
 * Messages between the inference worker pool (main thread) and its session workers. Tensors travel as
 * transferable ArrayBuffers: the sender gives its buffer up, so nothing is copied on either side.
 */

export interface TensorMessage {
  readonly data: ArrayBuffer;
  readonly dims: readonly number[];
}

export interface SessionOptionsMessage {
  readonly intraOpThreads: number;
}

export type ToWorker =
  | {
      readonly type: 'load';
      readonly id: number;
      /** Session key: `<name>@<version>`. */
      readonly key: string;
      readonly path: string;
      readonly providers: readonly string[];
      readonly options: SessionOptionsMessage;
    }
  | { readonly type: 'run'; readonly id: number; readonly key: string; readonly input: TensorMessage }
  | { readonly type: 'release'; readonly id: number; readonly key: string };

/** What a loaded session reports: provider chosen, tensor names and shapes (symbolic dims as strings). */
export interface LoadedSession {
  readonly ep: string;
  readonly failures: ReadonlyArray<{ readonly ep: string; readonly reason: string }>;
  readonly inputName: string;
  readonly inputShape: ReadonlyArray<number | string>;
  readonly outputNames: readonly string[];
  /** Milliseconds to create and warm the session. */
  readonly loadMs: number;
}

export type FromWorker =
  | { readonly type: 'loaded'; readonly id: number; readonly session: LoadedSession }
  | {
      readonly type: 'result';
      readonly id: number;
      readonly outputs: Readonly<Record<string, TensorMessage>>;
      readonly runMs: number;
    }
  | { readonly type: 'released'; readonly id: number }
  | {
      readonly type: 'failed';
      readonly id: number;
      readonly message: string;
      readonly code?: string;
      readonly details?: unknown;
    };
