/**
 * What the family trainers (anomaly, fault, ttf, throughput) share: their options, the default features, entity
 * subsampling, and turning window sets into tensors.
 */
import * as tf from '@tensorflow/tfjs';
import { rawFields } from '../src/features/derived.js';
import type { ModelFamily, ModelMetadata } from '../src/features/model-metadata.js';
import type { SlidingDetection } from '../src/inference/detection/find-anomalies.js';
import type { TrainingData, TrainingEntity } from './datasets/entities.js';
import { sample } from './datasets/random.js';
import type { WindowSet } from './datasets/windows.js';
import type { TtfArchitecture } from './models/ttf.js';
import type { TrainerOptions, TrainResult } from './trainer.js';

/**
 * The most symptomatic GPU fields: temperatures, power, clocks, utilisation, memory, deviations from the job's
 * other GPUs, and the per-step increase of error counters (their level is history; their rate is the symptom).
 */
export const GPU_WINDOW_FEATURES: readonly string[] = [
  'gpu_temp_c',
  'mem_temp_c',
  'power_w',
  'sm_clock_mhz',
  'gpu_util',
  'fb_used_mib',
  // Framebuffer share: a leak fills memory towards 1 whatever the GPU's size.
  'ratio:fb_used_mib/fb_total_mib',
  'mem_copy_util',
  'fan_speed_pct',
  // Against the job's other GPUs (src/features/peers.ts): a straggler lags them, a leaking GPU holds more memory, a
  // GPU with failing cooling runs hotter at the same load, while alone each looks like an ordinary job.
  'below-peers:gpu_util',
  'above-peers:fb_used_mib',
  'above-peers:gpu_temp_c',
  // The rack's inlet air (src/features/rack-fields.ts): a facility cooling failure heats a whole rack at once.
  'rack:inlet_temp_c',
  'delta:ecc_sbe_volatile',
  'delta:ecc_dbe_volatile',
  'delta:nvlink_crc_errors',
  'delta:pcie_replay_count',
  'xid_count',
  'remapped_rows_pending',
  // clock_event_reasons bits: HW slowdown, SW and HW thermal throttling, power brake.
  'bit3:clock_event_reasons',
  'bit5:clock_event_reasons',
  'bit6:clock_event_reasons',
  'bit7:clock_event_reasons',
];

/**
 * Throughput inputs (gpu_model one-hot columns are added from the data's categories): what the job is and what an
 * operator sets, never what a power cap changes. The power-cap forecast asks "this job at a lower cap", so an input
 * the cap moves (SM clock: a binding cap lowers it; GPU temperature) held at today's value would predict the cap's
 * direct effect only. With clock and temperature as inputs, the simulator's counterfactual (the same fleet at 0.7 of
 * every cap) lost 17 % throughput where the model predicted 5 %, and 89 of the 122 caps the policy chose cost more
 * than the 5 % budget; without them the model predicts 16 % (test/throughput-cap-response.test.ts).
 */
export const THROUGHPUT_FEATURES: readonly string[] = [
  'log:params_billion',
  'log:n_gpus',
  'log:batch_size',
  'power_cap_w',
  'log:gpu_util_mean',
];

/**
 * The window models' features: `requested`, else the default GPU features the data has, else (any other schema,
 * e.g. a CSV of sensors) every field of the data.
 */
export function windowFeatures(data: TrainingData, requested?: readonly string[]): readonly string[] {
  if (requested) return requested;
  const gpu = GPU_WINDOW_FEATURES.filter((f) => rawFields([f]).every((raw) => data.fields.includes(raw)));
  return gpu.length > 0 ? gpu : [...data.fields];
}

export interface FamilyOptions {
  readonly features?: readonly string[];
  /** Window length T in samples. @defaultValue 30 (5 min at 10 s) */
  readonly windowLength: number;
  /** Keep every k-th training window. */
  readonly trainStride: number;
  /** At most this many entities (devices) are used; faulty ones first. */
  readonly maxEntities: number;
  readonly fractions: { readonly train: number; readonly validation: number; readonly test: number };
  /** Fault predictor horizon H, samples. */
  readonly horizonSteps: number;
  /** TTF target cap, samples. */
  readonly ttfCapSteps: number;
  readonly units?: number;
  /** TTF regressor architecture (training/models/ttf.ts). @defaultValue 'lstm' */
  readonly ttfArchitecture?: TtfArchitecture;
  /** TTF mlp: networks averaged into one output (training/models/ttf.ts). @defaultValue TTF_MLP_DEFAULTS.members */
  readonly ttfMembers?: number;
  /** Anomaly detector: encoder units (the latent code). */
  readonly latentUnits?: number;
  readonly learningRate?: number;
  /** Anomaly: how scores become intervals. @defaultValue 'sliding' for CSV sources, 'threshold' otherwise */
  readonly detection?: 'sliding' | 'threshold';
  readonly seed: number;
  readonly trainer: TrainerOptions;
}

/** What a family trainer hands back: the model and the family-specific part of its metadata. */
export interface FamilyResult {
  readonly model: tf.LayersModel;
  readonly meta: Pick<ModelMetadata, 'features' | 'scaler' | 'windowLength' | 'stride' | 'outputs'> &
    Partial<ModelMetadata> & { readonly family: ModelFamily; readonly detection?: SlidingDetection };
  readonly metrics: Record<string, number>;
  readonly hyperparameters: Record<string, number | string | boolean>;
  readonly result: TrainResult;
}

/**
 * A reproducible subset of entities: devices that fail first (up to half the budget, so the rare class is
 * kept), the rest sampled from all others (healthy ones and those with non-failure incidents alike).
 */
export function chooseEntities(data: TrainingData, max: number, seed: number): TrainingData {
  if (data.entities.length <= max) return data;
  const failing = data.entities.filter((e) => e.failures.length > 0);
  const picked: TrainingEntity[] = sample(failing, Math.ceil(max / 2), seed);
  const rest = data.entities.filter((e) => !picked.includes(e));
  picked.push(...sample(rest, max - picked.length, seed + 1));
  const order = new Map(data.entities.map((e, i) => [e, i]));
  picked.sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0));
  return { ...data, entities: picked };
}

export function windowTensor(set: WindowSet): tf.Tensor3D {
  return tf.tensor3d(set.x, [set.count, set.length, set.width]);
}

/** Model predictions for many inputs, in batches, as one flat Float32Array. */
export async function predictFlat(model: tf.LayersModel, x: tf.Tensor, batchSize = 1024): Promise<Float32Array> {
  const out = tf.tidy(() => model.predict(x, { batchSize }) as tf.Tensor);
  const data = (await out.data()) as Float32Array;
  out.dispose();
  return data;
}

export function round(v: number, digits = 6): number {
  return Number.isFinite(v) ? Number(v.toPrecision(digits)) : v;
}
