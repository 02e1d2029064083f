/**
 * The one configuration of the product, read from the environment once, validated, frozen.
 * Nothing else reads `process.env`. Every key is documented in the README's configuration table;
 * `test/docs-in-step.test.ts` keeps the two in step.
 */
import { ConfigError } from './errors.js';

export type Role = 'reader' | 'operator' | 'admin';
export type ExecutorKind = 'dry-run' | 'webhook' | 'slurm' | 'kubernetes' | 'nvidia-smi';

export interface Config {
  readonly logLevel: string;
  readonly questdb: {
    /** ILP over HTTP and REST (`/exec`). */
    readonly httpUrl: string;
    readonly pgHost: string;
    readonly pgPort: number;
    readonly pgUser: string;
    readonly pgPassword: string;
    readonly pgDatabase: string;
    /** Per-query and per-flush timeout. */
    readonly timeoutMs: number;
    /** Writer: rows buffered before a flush, and the flush timer. */
    readonly flushRows: number;
    readonly flushIntervalMs: number;
    /** Writer: rows in flight before `write()` waits (back-pressure). */
    readonly maxPendingRows: number;
    /** How long a starting process waits for QuestDB to answer before it gives up. */
    readonly startupWaitMs: number;
  };
  readonly redis: { readonly url: string; readonly prefix: string; readonly timeoutMs: number };
  readonly api: {
    readonly host: string;
    readonly port: number;
    readonly bodyLimitBytes: number;
    readonly rateLimitPerMinute: number;
    /** Requests per minute per client address, counted before the key is checked (key guessing, floods). */
    readonly rateLimitPerIpPerMinute: number;
    /** Values one scoring request may read from QuestDB (devices × samples in the range × fields). */
    readonly maxReadValues: number;
    /** `role:key` pairs in plain text (local use) — hashed at start, never kept in clear. */
    readonly apiKeys: string;
    /** JSON file of `[{name, role, sha256}]`, for deployments: hashes only. */
    readonly apiKeysFile: string;
    /** Allow anonymous requests as this role (empty: none). Local quick start uses `admin`. */
    readonly anonymousRole: Role | '';
    /** Record the fleet health score to QuestDB this often (0: never); the history API reads it. */
    readonly healthRecordEveryS: number;
  };
  readonly models: {
    readonly dir: string;
    /** ONNX Runtime execution providers in order of preference. */
    readonly executionProviders: readonly string[];
    readonly intraOpThreads: number;
    readonly inferenceWorkers: number;
    readonly maxBatch: number;
    readonly maxBatchWaitMs: number;
  };
  readonly training: { readonly backend: string };
  readonly queue: {
    readonly remediationConcurrency: number;
    readonly forecastConcurrency: number;
    readonly retrainConcurrency: number;
    /** Labelled events a retrain's holdout needs before a candidate may be promoted (fewer: shadow). */
    readonly retrainMinLabelledEvents: number;
    /** A shadow the comparison finds better is promoted by itself (default false: the record says "would promote"). */
    readonly shadowAutoPromote: boolean;
    readonly forecastEveryMinutes: number;
    readonly executor: ExecutorKind;
    readonly webhookUrl: string;
    readonly webhookSecret: string;
    readonly dryRun: boolean;
  };
  readonly simulator: { readonly gpus: number; readonly seed: number };
  readonly policy: {
    /** Operator override of the fault probability the policy acts on; undefined: each model's own threshold. */
    readonly faultActProbability: number | undefined;
    /** Repeat offenders: this many incidents (labels, confirmed outcomes) of one device or node within the window. */
    readonly repeatOffenderIncidents: number;
    readonly repeatOffenderWindowDays: number;
  };
}

type Env = Readonly<Record<string, string | undefined>>;

function str(env: Env, key: string, fallback: string): string {
  const v = env[key];
  return v === undefined || v === '' ? fallback : v;
}

function int(env: Env, key: string, fallback: number, min = 0): number {
  const raw = env[key];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new ConfigError(`${key} must be an integer >= ${min}, got "${raw}"`);
  return n;
}

/** A probability in [0, 1], or undefined when unset. */
function probability(env: Env, key: string): number | undefined {
  const raw = env[key];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!(n >= 0 && n <= 1)) throw new ConfigError(`${key} must be a number between 0 and 1, got "${raw}"`);
  return n;
}

function bool(env: Env, key: string, fallback: boolean): boolean {
  const raw = env[key];
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes'].includes(raw.toLowerCase())) return true;
  if (['0', 'false', 'no'].includes(raw.toLowerCase())) return false;
  throw new ConfigError(`${key} must be true or false, got "${raw}"`);
}

function oneOf<T extends string>(env: Env, key: string, allowed: readonly T[], fallback: T): T {
  const raw = str(env, key, fallback);
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(`${key} must be one of ${allowed.join(', ')}, got "${raw}"`);
  }
  return raw as T;
}

function deepFreeze<T>(o: T): T {
  for (const v of Object.values(o as object)) if (v && typeof v === 'object') deepFreeze(v);
  return Object.freeze(o);
}

export function loadConfig(env: Env = process.env): Config {
  return deepFreeze({
    logLevel: oneOf(env, 'LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info'),
    questdb: {
      httpUrl: str(env, 'QUESTDB_HTTP_URL', 'http://127.0.0.1:9000'),
      pgHost: str(env, 'QUESTDB_PG_HOST', '127.0.0.1'),
      pgPort: int(env, 'QUESTDB_PG_PORT', 8812, 1),
      pgUser: str(env, 'QUESTDB_PG_USER', 'admin'),
      pgPassword: str(env, 'QUESTDB_PG_PASSWORD', 'quest'),
      pgDatabase: str(env, 'QUESTDB_PG_DATABASE', 'qdb'),
      timeoutMs: int(env, 'QUESTDB_TIMEOUT_MS', 10_000, 1),
      flushRows: int(env, 'QUESTDB_FLUSH_ROWS', 10_000, 1),
      flushIntervalMs: int(env, 'QUESTDB_FLUSH_INTERVAL_MS', 1_000, 1),
      maxPendingRows: int(env, 'QUESTDB_MAX_PENDING_ROWS', 200_000, 1),
      startupWaitMs: int(env, 'QUESTDB_STARTUP_WAIT_MS', 120_000, 0),
    },
    redis: {
      url: str(env, 'REDIS_URL', 'redis://127.0.0.1:6379'),
      prefix: str(env, 'QUEUE_PREFIX', 'fleetsense'),
      timeoutMs: int(env, 'REDIS_TIMEOUT_MS', 5_000, 1),
    },
    api: {
      host: str(env, 'API_HOST', '127.0.0.1'),
      port: int(env, 'API_PORT', 8080, 0),
      bodyLimitBytes: int(env, 'API_BODY_LIMIT_BYTES', 16 * 1024 * 1024, 1024),
      rateLimitPerMinute: int(env, 'API_RATE_LIMIT_PER_MINUTE', 6_000, 1),
      rateLimitPerIpPerMinute: int(env, 'API_RATE_LIMIT_PER_IP_PER_MINUTE', 12_000, 1),
      maxReadValues: int(env, 'API_MAX_READ_VALUES', 2_000_000, 1),
      apiKeys: str(env, 'API_KEYS', ''),
      apiKeysFile: str(env, 'API_KEYS_FILE', ''),
      anonymousRole: oneOf(env, 'API_ANONYMOUS_ROLE', ['', 'reader', 'operator', 'admin'], ''),
      healthRecordEveryS: int(env, 'HEALTH_RECORD_EVERY_S', 60, 0),
    },
    models: {
      dir: str(env, 'MODELS_DIR', 'models'),
      executionProviders: str(env, 'ORT_EXECUTION_PROVIDERS', 'cuda,webgpu,cpu')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
      intraOpThreads: int(env, 'ORT_INTRA_OP_THREADS', 1, 1),
      inferenceWorkers: int(env, 'INFERENCE_WORKERS', 1, 1),
      maxBatch: int(env, 'INFERENCE_MAX_BATCH', 256, 1),
      maxBatchWaitMs: int(env, 'INFERENCE_MAX_BATCH_WAIT_MS', 2, 0),
    },
    training: { backend: str(env, 'TFJS_BACKEND', '') },
    queue: {
      remediationConcurrency: int(env, 'REMEDIATION_CONCURRENCY', 4, 1),
      forecastConcurrency: int(env, 'FORECAST_CONCURRENCY', 2, 1),
      retrainConcurrency: int(env, 'RETRAIN_CONCURRENCY', 1, 1),
      retrainMinLabelledEvents: int(env, 'RETRAIN_MIN_LABELLED_EVENTS', 5, 0),
      shadowAutoPromote: bool(env, 'SHADOW_AUTO_PROMOTE', false),
      forecastEveryMinutes: int(env, 'FORECAST_EVERY_MINUTES', 5, 1),
      executor: oneOf(
        env,
        'REMEDIATION_EXECUTOR',
        ['dry-run', 'webhook', 'slurm', 'kubernetes', 'nvidia-smi'],
        'dry-run',
      ),
      webhookUrl: str(env, 'REMEDIATION_WEBHOOK_URL', ''),
      webhookSecret: str(env, 'REMEDIATION_WEBHOOK_SECRET', ''),
      dryRun: bool(env, 'REMEDIATION_DRY_RUN', true),
    },
    simulator: { gpus: int(env, 'SIM_GPUS', 256, 1), seed: int(env, 'SIM_SEED', 42, 0) },
    policy: {
      faultActProbability: probability(env, 'POLICY_FAULT_ACT_PROBABILITY'),
      repeatOffenderIncidents: int(env, 'REPEAT_OFFENDER_INCIDENTS', 3, 2),
      repeatOffenderWindowDays: int(env, 'REPEAT_OFFENDER_WINDOW_DAYS', 30, 1),
    },
  });
}
