import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildFaultPredictor } from './models/fault.js';
import { buildThroughputModel } from './models/throughput.js';
import { epochsFor, trainModel } from './trainer.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function tinyWindows(seed: number) {
  const x = tf.randomNormal([40, 5, 2], 0, 1, 'float32', seed);
  const y = tf.tidy(() => x.mean([1, 2]).greater(0).cast('float32').reshape([40, 1]));
  return { x, y };
}

async function trainedWeights(seed: number): Promise<number[]> {
  const model = buildFaultPredictor({ windowLength: 5, features: 2, units: 4, hidden: 3, seed });
  const data = tinyWindows(1);
  await trainModel(model, data, undefined, { epochs: 2, batchSize: 8, seed, progress: 'none' });
  return model.getWeights().flatMap((w) => Array.from(w.dataSync()));
}

describe('trainModel', () => {
  it('is deterministic given the seed (weights and shuffling) on cpu', async () => {
    const a = await trainedWeights(3);
    const b = await trainedWeights(3);
    const c = await trainedWeights(4);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('learns, records history and keeps the best epoch', async () => {
    const model = buildFaultPredictor({
      windowLength: 5,
      features: 2,
      units: 8,
      hidden: 4,
      seed: 1,
      learningRate: 0.02,
    });
    const result = await trainModel(model, tinyWindows(1), tinyWindows(2), {
      epochs: 6,
      batchSize: 8,
      patience: 10,
      progress: 'none',
    });
    expect(result.history.loss).toHaveLength(6);
    expect(result.history.loss[5]).toBeLessThan(result.history.loss[0]);
    const best = Math.min(...result.history.valLoss);
    expect(result.bestLoss).toBeCloseTo(best, 6);
    expect(result.history.valLoss[result.bestEpoch - 1]).toBeCloseTo(best, 6);
  });

  it('stops after `patience` epochs without improvement and restores the best weights', async () => {
    // A learning rate this large makes validation loss bounce, so early stopping has something to do.
    const model = buildThroughputModel({ features: 2, hidden: [4], seed: 1, learningRate: 5 });
    const x = tf.randomNormal([32, 2], 0, 1, 'float32', 5);
    const y = tf.tidy(() => x.sum(1, true));
    const val = { x: tf.randomNormal([16, 2], 0, 1, 'float32', 6), y: tf.zeros([16, 1]) };
    let bestWeights: number[] = [];
    const result = await trainModel(model, { x, y }, val, {
      epochs: 30,
      batchSize: 8,
      patience: 2,
      progress: 'none',
      onEpoch: (e) => {
        if (e.improved) bestWeights = model.getWeights().flatMap((w) => Array.from(w.dataSync()));
      },
    });
    expect(result.stoppedEarly).toBe(true);
    expect(result.epochs).toBe(result.bestEpoch + 2);
    expect(model.getWeights().flatMap((w) => Array.from(w.dataSync()))).toEqual(bestWeights);
  });
});

describe('epochsFor', () => {
  it('runs ceil(steps / batches per epoch) epochs, at most epochs, at least one', () => {
    expect(epochsFor({ epochs: 40, batchSize: 256, steps: 200 }, 1_600)).toBe(29); // 7 batches an epoch
    expect(epochsFor({ epochs: 40, batchSize: 256, steps: 200 }, 16_000)).toBe(4); // 63 batches
    expect(epochsFor({ epochs: 10, batchSize: 256, steps: 200 }, 100)).toBe(10); // capped
    expect(epochsFor({ epochs: 10, batchSize: 256, steps: 1 }, 100_000)).toBe(1);
    expect(epochsFor({ epochs: 8, batchSize: 256 }, 100)).toBe(8); // no budget: epochs as given
  });
});
