/** What the inference service tells its callers (routes, batch forecasts) about models and results. */
import type { BaseLogger } from 'pino';
import type { ModelFamily, ModelMetadata } from '../features/model-metadata.js';

/** The log calls the serving core makes (pino, or Fastify's logger). */
export type InferenceLog = Pick<BaseLogger, 'info' | 'warn' | 'error'>;

export interface OutputTensor {
  readonly data: Float32Array;
  readonly dims: readonly number[];
}

export interface InferenceResult {
  readonly model: string;
  /** The version this request ran on, start to finish (never mixed, even across a promote). */
  readonly version: string;
  readonly metadata: ModelMetadata;
  readonly executionProvider: string;
  readonly outputs: Readonly<Record<string, OutputTensor>>;
}

export interface ModelVersionInfo {
  readonly version: string;
  readonly family: ModelFamily;
  readonly createdAt: string;
  readonly metrics: Readonly<Record<string, number>>;
  readonly threshold?: number;
  readonly active: boolean;
  /** Loaded in the workers right now, and on which execution provider. */
  readonly loaded: boolean;
  readonly executionProvider?: string;
}

export interface ModelInfo {
  readonly name: string;
  readonly family: ModelFamily;
  readonly activeVersion: string;
  /** model.json of the active version. */
  readonly metadata: ModelMetadata;
  /** Dims of one input row, e.g. [T, F] for windows: requests send [batch, ...rowDims]. */
  readonly rowDims: readonly number[];
  readonly executionProvider: string;
  readonly versions: readonly ModelVersionInfo[];
}

/** A model version held for the duration of one request: inputs built from `metadata` run on that same version. */
export interface ModelLease {
  readonly model: string;
  readonly version: string;
  readonly metadata: ModelMetadata;
  readonly rowDims: readonly number[];
  readonly executionProvider: string;
  run(input: Float32Array, dims: readonly number[]): Promise<InferenceResult>;
}

/** Hooks for metrics; every method optional. */
export interface InferenceObserver {
  /** A batch left the micro-batcher: its rows and how many requests were concatenated into it. */
  batch?(model: string, version: string, rows: number, requests: number): void;
  /** A batch came back: seconds from dispatch to result (worker queue, transfer and session.run). */
  ran?(model: string, version: string, ep: string, rows: number, seconds: number): void;
  failure?(model: string, version: string, reason: string): void;
  activated?(model: string, version: string, ep: string, previous?: string): void;
}

export interface InferenceStatus {
  readonly workers: number;
  readonly models: ReadonlyArray<{ name: string; version: string; executionProvider: string; loadMs: number }>;
  /** Models that exist on disk but could not be served, and why. */
  readonly errors: ReadonlyArray<{ name: string; message: string }>;
}
