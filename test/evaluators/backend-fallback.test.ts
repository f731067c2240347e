// A tfjs evaluator says which backend scored the run, and says so as a caveat when wasm could not start and cpu stood
// in. Its own file: the fallback is made real by unregistering wasm, which must not leak into other tests.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { createPruningEvaluator } from '../../evaluators/pruning/index.js';
import { createSparsityEvaluator } from '../../evaluators/sparsity/index.js';

describe('tfjs backend in scoredBy', () => {
  it('names the backend in use; a fallback from wasm to cpu is a caveat', async () => {
    const cpu = createPruningEvaluator({ model: 'tiny', backend: 'cpu' });
    expect(await cpu.scoredBy?.({})).toEqual({ scorer: 'tfjs cpu backend, tiny model' });

    const wasm = createPruningEvaluator({ model: 'tiny', backend: 'wasm' });
    expect(await wasm.scoredBy?.({})).toEqual({ scorer: 'tfjs wasm backend, tiny model' });

    // wasm gone from this process: asking for it falls back to cpu, and the run says so.
    await tf.setBackend('cpu');
    tf.removeBackend('wasm');
    const sparsity = createSparsityEvaluator({ model: 'tiny', backend: 'wasm' }, { log: () => undefined });
    expect(await sparsity.scoredBy?.({})).toEqual({
      scorer: 'tfjs cpu backend, tiny model',
      caveat: expect.stringMatching(/^fallback: the wasm backend could not start here, so cpu scored the run/),
    });
  });
});
