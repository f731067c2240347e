// The LM cache trains once and round-trips exactly; backend selection is idempotent and explains a missing GPU package.
import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../lm/backend.js';
import { loadOrTrainModel, modelCacheKey, modelCachePath } from '../../lm/model-cache.js';
import { TINY_LM, type TrainProgress } from '../../lm/train.js';

const CONFIG = { ...TINY_LM, steps: 40 };
let cacheDir: string;

beforeAll(() => {
  cacheDir = mkdtempSync(join(tmpdir(), 'elites-lm-cache-'));
});

afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

describe('backend', () => {
  it('starts wasm and is idempotent', async () => {
    expect(await initBackend()).toBe('wasm');
    expect(await initBackend('wasm')).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
  });

  it("asking for 'tensorflow' without @tensorflow/tfjs-node-gpu says how to install it or use wasm", async () => {
    await expect(initBackend('tensorflow')).rejects.toThrow(
      /not installed.*npm install @tensorflow\/tfjs-node-gpu.*--backend wasm/,
    );
    expect(tf.getBackend()).toBe('wasm');
  });
});

describe('model cache', () => {
  it('keys on every field of the config', () => {
    const key = modelCacheKey(CONFIG);
    expect(modelCacheKey({ ...CONFIG })).toBe(key);
    for (const change of [
      { seed: 1 },
      { steps: 41 },
      { learningRate: 0.02 },
      { maxFiles: 41 },
      { dFF: 65 },
      { warmupSteps: 3 },
    ]) {
      expect(modelCacheKey({ ...CONFIG, ...change })).not.toBe(key);
    }
  });

  it('trains once, then loads identical weights without retraining', async () => {
    const progress: TrainProgress[] = [];
    const first = await loadOrTrainModel(CONFIG, { cacheDir, onProgress: (p) => progress.push(p) });
    expect(progress).toHaveLength(CONFIG.steps);
    expect(progress.at(-1)).toMatchObject({ step: CONFIG.steps, steps: CONFIG.steps });
    expect(existsSync(modelCachePath(CONFIG, cacheDir))).toBe(true);
    expect(readdirSync(cacheDir).filter((f) => f.endsWith('.tmp'))).toEqual([]);

    const tensors = tf.memory().numTensors;
    let calls = 0;
    const started = performance.now();
    const second = await loadOrTrainModel(CONFIG, { cacheDir, onProgress: () => calls++ });
    expect(calls).toBe(0);
    expect(performance.now() - started).toBeLessThan(1000);
    expect([...second.parameters()]).toEqual([...first.parameters()]);
    for (const name of first.linearNames()) expect(second.weight(name)).toEqual(first.weight(name));
    second.dispose();
    expect(tf.memory().numTensors).toBe(tensors); // loading and disposing leaks nothing
    first.dispose();
  });

  it('treats a damaged cache file as absent and replaces it', async () => {
    const config = { ...CONFIG, steps: 5 };
    writeFileSync(modelCachePath(config, cacheDir), 'ELITESLM\u0004\u0000\u0000\u0000{"tr'); // a torn write from older code
    let calls = 0;
    const model = await loadOrTrainModel(config, { cacheDir, onProgress: () => calls++ });
    expect(calls).toBe(5);
    model.dispose();
    let again = 0;
    (await loadOrTrainModel(config, { cacheDir, onProgress: () => again++ })).dispose();
    expect(again).toBe(0);
  });
});
