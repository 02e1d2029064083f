/**
 * Model artefacts on disk: `models/<name>/<version>/`
 *   model.json        ModelMetadata (features, scaler, window, threshold, source, metrics, training) — serving reads it
 *   model.onnx        the network for ONNX Runtime (training/onnx/export.ts)
 *   history.json      {loss, valLoss} per epoch (for reports)
 *   tfjs/model.json   tfjs topology + weights manifest, tfjs/weights.bin: the trained network, for evaluation and
 *                     further training. Written through a custom tf.io handler: `file://` needs tfjs-node.
 * A version is never overwritten: the folder is written under a temporary name and renamed into place.
 */
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { AppError } from '../src/errors.js';
import type { ModelMetadata } from '../src/features/model-metadata.js';
import { quietOrthogonalAsync } from './models/seeded-init.js';
import { ONNX_OPSET, writeOnnx } from './onnx/export.js';

export const TFJS_DIR = 'tfjs';

/** `20261128T061500Z` for the given moment (UTC, second resolution). */
export function timestampVersion(at: Date = new Date()): string {
  return at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

const SAFE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

export function checkName(kind: 'name' | 'version', value: string): string {
  if (!SAFE.test(value) || value.includes('..')) {
    throw new AppError('VALIDATION_FAILED', `model ${kind} "${value}" must be letters, digits, '.', '_' or '-'`, {
      field: kind,
    });
  }
  return value;
}

export function versionDir(root: string, name: string, version: string): string {
  return path.join(root, checkName('name', name), checkName('version', version));
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

interface TfjsFiles {
  readonly topology: object;
  readonly weights: Uint8Array;
}

/** Serialises a model through tf.io without touching the file system (works on every backend). */
async function serialise(model: tf.LayersModel): Promise<TfjsFiles> {
  let captured: TfjsFiles | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const data = artifacts.weightData;
      const buffer = data === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(data);
      captured = {
        topology: {
          format: 'layers-model',
          generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
          convertedBy: null,
          modelTopology: artifacts.modelTopology,
          trainingConfig: artifacts.trainingConfig,
          weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }],
        },
        weights: new Uint8Array(buffer),
      };
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
  if (!captured) throw new AppError('INTERNAL', 'tfjs did not hand over the model artefacts');
  return captured;
}

export interface SaveOptions {
  /** Root folder (`models`). */
  readonly root: string;
  /** Skip model.onnx (tests of the tfjs round trip). @defaultValue true */
  readonly onnx?: boolean;
  readonly history?: { readonly loss: readonly number[]; readonly valLoss: readonly number[] };
}

/**
 * Writes a trained model and its metadata; returns the version folder and the metadata as written (with `onnx`
 * set when exported). Throws CONFLICT when the version exists.
 */
export async function saveTrainedModel(
  model: tf.LayersModel,
  meta: ModelMetadata,
  opts: SaveOptions,
): Promise<{ dir: string; meta: ModelMetadata }> {
  const dir = versionDir(opts.root, meta.name, meta.version);
  if (await exists(dir)) {
    throw new AppError('CONFLICT', `model ${meta.name} version ${meta.version} already exists at ${dir}`, { dir });
  }
  const tmp = path.join(path.dirname(dir), `.${meta.version}.tmp-${process.pid}`);
  await rm(tmp, { recursive: true, force: true });
  await mkdir(path.join(tmp, TFJS_DIR), { recursive: true });
  try {
    const files = await serialise(model);
    await writeFile(path.join(tmp, TFJS_DIR, 'model.json'), JSON.stringify(files.topology));
    await writeFile(path.join(tmp, TFJS_DIR, 'weights.bin'), files.weights);
    let written = meta;
    if (opts.onnx !== false) {
      await writeOnnx(
        model,
        { name: meta.name, version: meta.version, features: meta.features },
        path.join(tmp, 'model.onnx'),
      );
      written = {
        ...meta,
        onnx: {
          file: 'model.onnx',
          input: 'input',
          outputs: model.outputs.map((t) => t.sourceLayer.name),
          opset: ONNX_OPSET,
        },
      };
    }
    if (opts.history) await writeFile(path.join(tmp, 'history.json'), `${JSON.stringify(opts.history)}\n`);
    await writeFile(path.join(tmp, 'model.json'), `${JSON.stringify(written, null, 2)}\n`);
    if (await exists(dir))
      throw new AppError('CONFLICT', `model ${meta.name} version ${meta.version} appeared meanwhile`, { dir });
    await rename(tmp, dir);
    return { dir, meta: written };
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}

export async function readMetadata(dir: string): Promise<ModelMetadata> {
  const file = path.join(dir, 'model.json');
  const text = await readFile(file, 'utf8').catch((err: unknown) => {
    throw new AppError('MODEL_NOT_FOUND', `no model.json in ${dir}`, { dir }, { cause: err });
  });
  return JSON.parse(text) as ModelMetadata;
}

/** Restores the tfjs model (for evaluation or fine-tuning) and its metadata from a version folder. */
export async function loadTrainedModel(dir: string): Promise<{ model: tf.LayersModel; meta: ModelMetadata }> {
  const meta = await readMetadata(dir);
  const tfjsDir = path.join(dir, TFJS_DIR);
  const topology = JSON.parse(await readFile(path.join(tfjsDir, 'model.json'), 'utf8')) as {
    modelTopology: object;
    trainingConfig?: tf.io.TrainingConfig;
    weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  };
  const specs = topology.weightsManifest.flatMap((g) => g.weights);
  const buffers = await Promise.all(
    topology.weightsManifest.flatMap((g) => g.paths).map((p) => readFile(path.join(tfjsDir, p))),
  );
  const weightData = tf.io.CompositeArrayBuffer.join(
    buffers.map((b) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer),
  );
  const model = await quietOrthogonalAsync(() =>
    tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: topology.modelTopology,
        trainingConfig: topology.trainingConfig,
        weightSpecs: specs,
        weightData,
      }),
    ),
  );

  return { model, meta };
}
