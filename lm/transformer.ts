// A small pre-LayerNorm decoder-only transformer in plain tfjs ops: its configuration, parameters and forward pass.
import * as tf from '@tensorflow/tfjs';
import { batchMatMul, causalMask, embed, layerNorm, linear } from './ops.js';
import type { LmConfig } from './presets.js';

/** One trainable tensor: its name, tfjs shape, and initial standard deviation (0 → ones for gains, zeros for biases). */
export interface ParameterSpec {
  readonly name: string;
  readonly shape: readonly number[];
  readonly init: 'normal' | 'ones' | 'zeros';
  readonly std: number;
}

/** Called with each prunable linear layer's name, input [n, dIn] and output [n, dOut]; returns the output to use. */
export type LinearHook = (name: string, x: tf.Tensor2D, y: tf.Tensor2D) => tf.Tensor2D;

export { BLOCK_LINEARS, linearLayerNames } from './presets.js';
export type { LmConfig } from './presets.js';

/**
 * Checks a configuration's numbers.
 * @throws {RangeError} naming the first field that is not a positive integer, or when heads does not divide dModel.
 */
export function validateLmConfig(config: LmConfig): void {
  for (const field of ['vocabSize', 'dModel', 'heads', 'layers', 'dFF', 'context'] as const) {
    const value = config[field];
    if (!Number.isInteger(value) || value < 1)
      throw new RangeError(`LmConfig.${field} must be a positive integer, got ${value}`);
  }
  if (config.context < 2) throw new RangeError(`LmConfig.context must be at least 2, got ${config.context}`);
  if (config.dModel % config.heads !== 0)
    throw new RangeError(`LmConfig.heads (${config.heads}) must divide dModel (${config.dModel})`);
  if (!Number.isInteger(config.seed)) throw new RangeError(`LmConfig.seed must be an integer, got ${config.seed}`);
}

/** Names of the prunable linear layers ('block0.q' … 'block{L−1}.down'), in forward order. */
/**
 * Every parameter, in a fixed order. Linear weights are stored [dIn, dOut] (tfjs convention). The output
 * projection 'head' is separate from the embedding (not tied) and is not prunable, like the embeddings and norms.
 */
export function parameterSpecs(config: LmConfig): ParameterSpec[] {
  const { vocabSize: v, dModel: d, dFF: f, context: t, layers } = config;
  // GPT-2's init: N(0, 0.02), with the projections that write into the residual stream scaled by 1/sqrt(2·layers).
  const std = 0.02;
  const residualStd = std / Math.sqrt(2 * layers);
  const specs: ParameterSpec[] = [
    { name: 'embed', shape: [v, d], init: 'normal', std },
    { name: 'pos', shape: [t, d], init: 'normal', std },
  ];
  const norm = (name: string) => [
    { name: `${name}.gain`, shape: [d], init: 'ones', std: 0 } as const,
    { name: `${name}.bias`, shape: [d], init: 'zeros', std: 0 } as const,
  ];
  for (let l = 0; l < layers; l++) {
    const p = `block${l}`;
    specs.push(...norm(`${p}.ln1`));
    for (const part of ['q', 'k', 'v'] as const)
      specs.push({ name: `${p}.${part}`, shape: [d, d], init: 'normal', std });
    specs.push({ name: `${p}.o`, shape: [d, d], init: 'normal', std: residualStd });
    specs.push(...norm(`${p}.ln2`));
    specs.push({ name: `${p}.up`, shape: [d, f], init: 'normal', std });
    specs.push({ name: `${p}.down`, shape: [f, d], init: 'normal', std: residualStd });
  }
  specs.push(...norm('final.ln'), { name: 'head', shape: [d, v], init: 'normal', std });
  return specs;
}

/** Seeded initial values of `spec` (truncated normal with a per-parameter seed derived from the model seed). */
export function initialValue(spec: ParameterSpec, seed: number, index: number): tf.Tensor {
  if (spec.init === 'ones') return tf.ones(spec.shape as number[]);
  if (spec.init === 'zeros') return tf.zeros(spec.shape as number[]);
  return tf.truncatedNormal(spec.shape as number[], 0, spec.std, 'float32', seed * 1009 + index * 7919 + 17);
}

/**
 * Final normalised hidden states [batch·t, dModel] for int32 `ids` [batch, t] (t ≤ context). `param` looks up a
 * parameter by name (so callers can substitute masked weights); `onLinear` sees every prunable layer.
 */
export function hiddenStates(
  config: LmConfig,
  ids: tf.Tensor2D,
  param: (name: string) => tf.Tensor,
  onLinear?: LinearHook,
): tf.Tensor2D {
  const [b, t] = ids.shape;
  let x = embedTokens(config, ids, param);
  for (let l = 0; l < config.layers; l++) x = transformerBlock(config, l, x, b, t, param, onLinear);
  return layerNorm(x, param('final.ln.gain') as tf.Tensor1D, param('final.ln.bias') as tf.Tensor1D);
}

/** The residual stream entering block 0: token embedding plus position, [batch·t, dModel] for `ids` [batch, t]. */
export function embedTokens(config: LmConfig, ids: tf.Tensor2D, param: (name: string) => tf.Tensor): tf.Tensor2D {
  const [b, t] = ids.shape;
  const d = config.dModel;
  const positions = tf.slice(param('pos') as tf.Tensor2D, [0, 0], [t, d]);
  return tf.reshape(tf.add(tf.reshape(embed(param('embed') as tf.Tensor2D, ids), [b, t, d]), positions), [
    b * t,
    d,
  ]) as tf.Tensor2D;
}

/**
 * Block `l` on the residual stream `x` [b·t, dModel] of b windows of t positions: pre-LayerNorm causal attention, then
 * a ReLU MLP, each added to the stream. Its prunable layers run in forward order: q, k, v, o, up, down.
 */
export function transformerBlock(
  config: LmConfig,
  l: number,
  x: tf.Tensor2D,
  b: number,
  t: number,
  param: (name: string) => tf.Tensor,
  onLinear?: LinearHook,
): tf.Tensor2D {
  const d = config.dModel;
  const h = config.heads;
  const dh = d / h;
  const p1 = (name: string) => param(name) as tf.Tensor1D;
  const lin = (name: string, input: tf.Tensor2D) => {
    const y = linear(input, param(name) as tf.Tensor2D);
    return onLinear ? onLinear(name, input, y) : y;
  };
  // [b·t, d] → [b·heads, t, dh], and back.
  const split = (z: tf.Tensor2D) =>
    tf.reshape(tf.transpose(tf.reshape(z, [b, t, h, dh]), [0, 2, 1, 3]), [b * h, t, dh]) as tf.Tensor3D;
  const merge = (z: tf.Tensor3D) =>
    tf.reshape(tf.transpose(tf.reshape(z, [b, h, t, dh]), [0, 2, 1, 3]), [b * t, d]) as tf.Tensor2D;
  const p = `block${l}`;
  const a = layerNorm(x, p1(`${p}.ln1.gain`), p1(`${p}.ln1.bias`));
  const q = tf.mul(split(lin(`${p}.q`, a)), 1 / Math.sqrt(dh)) as tf.Tensor3D;
  const k = split(lin(`${p}.k`, a));
  const v = split(lin(`${p}.v`, a));
  const weights = tf.softmax(tf.add(batchMatMul(q, tf.transpose(k, [0, 2, 1])), causalMask(t))) as tf.Tensor3D;
  const attended = tf.add(x, lin(`${p}.o`, merge(batchMatMul(weights, v)))) as tf.Tensor2D;
  const m = layerNorm(attended, p1(`${p}.ln2.gain`), p1(`${p}.ln2.bias`));
  return tf.add(attended, lin(`${p}.down`, tf.relu(lin(`${p}.up`, m)))) as tf.Tensor2D;
}

/** Next-token logits [batch·t, vocabSize] for int32 `ids` [batch, t]. */
export function logits(
  config: LmConfig,
  ids: tf.Tensor2D,
  param: (name: string) => tf.Tensor,
  onLinear?: LinearHook,
): tf.Tensor2D {
  return linear(hiddenStates(config, ids, param, onLinear), param('head') as tf.Tensor2D);
}
