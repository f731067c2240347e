// The language model the pruning search works on: perplexity under masks, and the W, X and G statistics of Pruner-Zero.
import * as tf from '@tensorflow/tfjs';
import { crossEntropy, linear } from './ops.js';
import {
  embedTokens,
  hiddenStates,
  initialValue,
  type LinearHook,
  linearLayerNames,
  type LmConfig,
  logits,
  parameterSpecs,
  transformerBlock,
  validateLmConfig,
} from './transformer.js';

export type { LmConfig } from './transformer.js';

/** A trained LM seen through its prunable linear layers (ALGORITHMS.md §3: W, G, X). */
export interface LanguageModel {
  readonly config: LmConfig;
  /** Prunable linear layers, in forward order. */
  linearNames(): readonly string[];
  /** Weight as [dOut][dIn] row-major (PyTorch convention; transpose from tfjs's [dIn, dOut] as needed). */
  weight(name: string): { dOut: number; dIn: number; data: Float32Array };
  /** Perplexity = exp(mean next-token cross-entropy) over `tokens` cut into non-overlapping windows of config.context (drop the incomplete tail), with optional masks applied (mask[o*dIn + i] = 1 keeps weight (o, i), 0 zeroes it). Restores the dense weights afterwards. */
  perplexity(tokens: Int32Array, masks?: ReadonlyMap<string, Uint8Array>): number;
  /** Wanda's X per prunable layer (length dIn), from a forward pass of the dense model over `tokens`. */
  inputStats(tokens: Int32Array): Map<string, Float32Array>;
  /**
   * Runs `tokens` (whole windows, one batch) through the model block by block and calls `prune` for every prunable
   * layer in forward order with that layer's inputs; it returns the layer's new weights [dOut][dIn]. `sequential`: the
   * new weights replace the layer at once, so every later layer's inputs come from the already pruned ones (Wanda's and
   * SparseGPT's reference code; here layer by layer, like SparseGPT's `--true-sequential`). `dense`: every layer sees
   * the dense model's inputs. Returns the new weights by layer; the model's own weights are never written.
   */
  calibrate(tokens: Int32Array, prune: LayerPruner, calibration: Calibration): Map<string, Float32Array>;
  /** Pruner-Zero's G per prunable layer ([dOut][dIn] row-major): sqrt(Σ over calibration windows of (100·∂L/∂w)²), L = mean LM loss of the window. */
  gradientStats(tokens: Int32Array): Map<string, Float32Array>;
  /**
   * Runs the model over windows of `tokens` (the windowing of {@link LanguageModel.perplexity}) in batches and calls
   * `onBatch` with each batch's next-token logits, inside a tf.tidy: return plain values, not tensors. Optionally
   * only some windows, and with some parameters replaced (`weights`, tfjs layout, e.g. from {@link LanguageModel.layerTensor}).
   */
  forEachWindowBatch<T>(tokens: Int32Array, onBatch: (batch: WindowBatch) => T, options?: WindowOptions): T[];
  /** Perplexity over the chosen windows with substituted weights (same value as perplexity() for the same weights). */
  windowPerplexity(tokens: Int32Array, options?: WindowOptions): number;
  /** A prunable layer's weights given [dOut][dIn] row-major, as a tensor in the model's layout [dIn, dOut]; the caller disposes it. */
  layerTensor(name: string, weights: Float32Array): tf.Tensor2D;
  dispose(): void;
}

/** Where a layer's calibration inputs come from: the dense model, or the model with the earlier layers already pruned. */
export type Calibration = 'dense' | 'sequential';

/** One prunable layer's inputs on the calibration tokens; valid only during the {@link LayerPruner} call. */
export interface LayerInputs {
  /** Input positions seen (windows · context). */
  readonly positions: number;
  /** Wanda's X: the mean over positions of each input's square, length dIn (inputStats' statistic). */
  meanSquares(): Float32Array;
  /** The mean over positions of x·xᵀ, [dIn][dIn] (SparseGPT's Hessian is twice this); computed on first call. */
  secondMoment(): Float64Array;
}

/** The weights [dOut][dIn] a layer is to have, from its calibration inputs. */
export type LayerPruner = (name: string, inputs: LayerInputs) => Float32Array;

/** Parameters to use instead of the model's own, by name, each with the parameter's tfjs shape. Never disposed by the model. */
export type WeightOverrides = ReadonlyMap<string, tf.Tensor>;

/** Which windows to run and with which weights. */
export interface WindowOptions {
  /** Indices of the windows to use (window w = tokens[w·context, (w+1)·context)); all whole windows when absent. */
  readonly windows?: readonly number[];
  /** Substituted parameters; the model's variables are never written. */
  readonly weights?: WeightOverrides;
}

/** One batch of windows as {@link LanguageModel.forEachWindowBatch} passes it. */
export interface WindowBatch {
  /** Next-token logits [windows.length·(context − 1), vocabSize], window after window. */
  readonly logits: tf.Tensor2D;
  /** The predicted tokens, int32 [windows.length·(context − 1)], aligned with the logits' rows. */
  readonly targets: tf.Tensor1D;
  /** The windows of this batch, in order. */
  readonly windows: readonly number[];
}

// Tokens per forward batch: big enough that the matMuls dominate, small enough that logits stay ~tens of MB.
const EVAL_TOKENS_PER_BATCH = 4096;
// GBLM-Pruner / Pruner-Zero scale per-sample gradients by 100 before squaring (for fp16 range in the original);
// in fp32 the scale is applied after the square root: sqrt(Σ (100·g)²) = 100·sqrt(Σ g²).
const GRADIENT_SCALE = 100;

/**
 * The transformer of transformer.ts as a {@link LanguageModel}, plus what training and the cache need.
 * Every window is scored on its own (no state carries over between windows): a window of `context` tokens gives
 * context − 1 next-token predictions; X counts all `context` input positions of each window.
 */
export class TransformerLm implements LanguageModel {
  private readonly linears: readonly string[];

  private constructor(
    readonly config: LmConfig,
    private readonly params: ReadonlyMap<string, tf.Variable>,
  ) {
    this.linears = linearLayerNames(config);
  }

  /**
   * A freshly initialised model (seeded: the same config gives the same weights).
   * @throws {RangeError} when the config is invalid.
   */
  static create(config: LmConfig): TransformerLm {
    validateLmConfig(config);
    const params = new Map<string, tf.Variable>();
    parameterSpecs(config).forEach((spec, index) => {
      params.set(
        spec.name,
        tf.tidy(() => tf.variable(initialValue(spec, config.seed, index))),
      );
    });
    return new TransformerLm(config, params);
  }

  /**
   * A model with the given parameter values (tfjs layout, as {@link TransformerLm.parameters} returns them).
   * @throws {RangeError} when a parameter is missing or has the wrong length.
   */
  static fromParameters(config: LmConfig, values: ReadonlyMap<string, Float32Array>): TransformerLm {
    validateLmConfig(config);
    const specs = parameterSpecs(config);
    for (const spec of specs) {
      const size = spec.shape.reduce((a, b) => a * b, 1);
      const data = values.get(spec.name);
      if (!data || data.length !== size)
        throw new RangeError(`parameter ${spec.name}: expected ${size} values, got ${data?.length ?? 'none'}`);
    }
    const params = new Map<string, tf.Variable>();
    for (const spec of specs)
      params.set(
        spec.name,
        tf.tidy(() => tf.variable(tf.tensor(values.get(spec.name) as Float32Array, spec.shape as number[]))),
      );
    return new TransformerLm(config, params);
  }

  /** Every trainable variable (for the optimiser). */
  variables(): tf.Variable[] {
    return [...this.params.values()];
  }

  /** Every parameter's values in tfjs layout, by name, in a fixed order (for saving). */
  parameters(): Map<string, Float32Array> {
    const out = new Map<string, Float32Array>();
    for (const [name, v] of this.params) out.set(name, (v.dataSync() as Float32Array).slice());
    return out;
  }

  /** Mean cross-entropy of predicting int32 `targets` [batch, t] from `inputs` [batch, t]; differentiable. */
  loss(inputs: tf.Tensor2D, targets: tf.Tensor2D): tf.Scalar {
    return crossEntropy(logits(this.config, inputs, this.param), targets);
  }

  linearNames(): readonly string[] {
    return this.linears;
  }

  weight(name: string): { dOut: number; dIn: number; data: Float32Array } {
    const w = this.linear(name);
    const [dIn, dOut] = w.shape as [number, number];
    return { dOut, dIn, data: transpose(w.dataSync() as Float32Array, dIn, dOut) };
  }

  perplexity(tokens: Int32Array, masks?: ReadonlyMap<string, Uint8Array>): number {
    const t = this.config.context;
    const windows = countWindows(tokens, t, this.config.vocabSize);
    // Masked copies live only inside this tidy; the variables themselves are never written, so dense weights stay.
    return tf.tidy(() => {
      const masked = new Map<string, tf.Tensor>();
      for (const [name, mask] of masks ?? []) masked.set(name, tf.mul(this.linear(name), this.maskTensor(name, mask)));
      const param = (name: string) => masked.get(name) ?? this.param(name);
      let nll = 0;
      for (const [start, b] of windowBatches(windows, t)) {
        nll += tf.tidy(() => {
          const { inputs, targets } = windowBatch(tokens, start, b, t);
          const loss = crossEntropy(logits(this.config, inputs, param), targets);
          return (loss.dataSync()[0] as number) * b * (t - 1);
        });
      }
      return Math.exp(nll / (windows * (t - 1)));
    });
  }

  inputStats(tokens: Int32Array): Map<string, Float32Array> {
    const t = this.config.context;
    const windows = countWindows(tokens, t, this.config.vocabSize);
    const sums = new Map<string, Float64Array>();
    for (const [start, b] of windowBatches(windows, t)) {
      tf.tidy(() => {
        const ids = tf.tensor2d(tokens.subarray(start * t, (start + b) * t), [b, t], 'int32');
        // q, k and v read the same tensor: square and sum it once.
        let lastX: tf.Tensor2D | undefined;
        let lastSum: Float32Array = new Float32Array(0);
        const hook: LinearHook = (name, x, y) => {
          if (x !== lastX) [lastX, lastSum] = [x, tf.sum(tf.square(x), 0).dataSync() as Float32Array];
          const acc = sums.get(name) ?? new Float64Array(lastSum.length);
          for (let j = 0; j < lastSum.length; j++) acc[j] = (acc[j] as number) + (lastSum[j] as number);
          sums.set(name, acc);
          return y;
        };
        hiddenStates(this.config, ids, this.param, hook);
      });
    }
    const out = new Map<string, Float32Array>();
    for (const name of this.linears)
      out.set(
        name,
        Float32Array.from(sums.get(name) as Float64Array, (s) => s / (windows * t)),
      );
    return out;
  }

  calibrate(tokens: Int32Array, prune: LayerPruner, calibration: Calibration): Map<string, Float32Array> {
    const t = this.config.context;
    const windows = countWindows(tokens, t, this.config.vocabSize);
    const pruned = new Map<string, Float32Array>();
    // Only the residual stream [windows·t, dModel] lives between blocks; each block's activations go with its tidy.
    let x = tf.tidy(() =>
      embedTokens(this.config, tf.tensor2d(tokens.subarray(0, windows * t), [windows, t], 'int32'), this.param),
    );
    for (let l = 0; l < this.config.layers; l++) {
      const next = tf.tidy(() => {
        let lastX: tf.Tensor2D | undefined;
        let lastInputs: LayerInputs | undefined;
        const hook: LinearHook = (name, input, y) => {
          // q, k and v read the same tensor: its statistics are computed once.
          if (input !== lastX || !lastInputs) [lastX, lastInputs] = [input, layerInputs(input)];
          const weights = prune(name, lastInputs);
          pruned.set(name, weights);
          return calibration === 'dense' ? y : linear(input, this.layerTensor(name, weights));
        };
        return transformerBlock(this.config, l, x, windows, t, this.param, hook);
      });
      x.dispose();
      x = next;
    }
    x.dispose();
    return pruned;
  }

  gradientStats(tokens: Int32Array): Map<string, Float32Array> {
    const t = this.config.context;
    const windows = countWindows(tokens, t, this.config.vocabSize);
    const sums = new Map<string, Float64Array>();
    for (const [start, b] of windowBatches(windows, t)) {
      tf.tidy(() => {
        const { inputs, targets } = windowBatch(tokens, start, b, t);
        // Per-window gradients from one backward pass: dL/dW_w = x_wᵀ·dy_w for each window w, where dy = dL/dy is
        // taken at a zero "tap" added to every linear output. Σ_w of per-window mean losses makes dy_w = ∂L_w/∂y_w.
        const inputsSeen = new Map<string, tf.Tensor2D>();
        const taps = this.linears.map((name) => tf.zeros([b * (t - 1), this.linear(name).shape[1] as number]));
        const objective = (...tapArgs: tf.Tensor[]) => {
          const hook: LinearHook = (name, x, y) => {
            inputsSeen.set(name, tf.keep(x));
            return tf.add(y, tapArgs[this.linears.indexOf(name)] as tf.Tensor2D);
          };
          return tf.mul(crossEntropy(logits(this.config, inputs, this.param, hook), targets), b) as tf.Scalar;
        };
        const dys = tf.grads(objective)(taps);
        const inputValues = new Map<tf.Tensor2D, Float32Array>(); // q, k and v share one input: read it once
        this.linears.forEach((name, i) => {
          const x = inputsSeen.get(name) as tf.Tensor2D;
          let xs = inputValues.get(x);
          if (!xs) inputValues.set(x, (xs = x.dataSync() as Float32Array));
          const dy = dys[i] as tf.Tensor2D;
          const acc = sums.get(name) ?? new Float64Array(x.shape[1] * dy.shape[1]);
          addPerWindowSquares(acc, xs, dy.dataSync() as Float32Array, b, t - 1, x.shape[1], dy.shape[1]);
          sums.set(name, acc);
        });
        // Distinct tensors only: q, k and v share one input.
        for (const x of new Set(inputsSeen.values())) x.dispose();
      });
    }
    const out = new Map<string, Float32Array>();
    for (const name of this.linears) {
      const [dIn, dOut] = this.linear(name).shape as [number, number];
      out.set(
        name,
        transpose(
          Float32Array.from(sums.get(name) as Float64Array, (s) => GRADIENT_SCALE * Math.sqrt(s)),
          dIn,
          dOut,
        ),
      );
    }
    return out;
  }

  forEachWindowBatch<T>(tokens: Int32Array, onBatch: (batch: WindowBatch) => T, options: WindowOptions = {}): T[] {
    const t = this.config.context;
    const available = countWindows(tokens, t, this.config.vocabSize);
    const windows = options.windows ?? Array.from({ length: available }, (_, w) => w);
    windows.forEach((w, i) => {
      if (!Number.isInteger(w) || w < 0 || w >= available)
        throw new RangeError(`windows[${i}] = ${w}: expected a window index in 0…${available - 1}`);
    });
    const param = this.withWeights(options.weights);
    const results: T[] = [];
    for (const [start, b] of windowBatches(windows.length, t)) {
      const batchWindows = windows.slice(start, start + b);
      // The result is taken out of the tidy by closure, so any tensor it holds is disposed with the rest.
      let result: T | undefined;
      tf.tidy(() => {
        const { inputs, targets } = selectedWindowBatch(tokens, batchWindows, t);
        result = onBatch({
          logits: logits(this.config, inputs, param),
          targets: tf.reshape(targets, [-1]) as tf.Tensor1D,
          windows: batchWindows,
        });
      });
      results.push(result as T);
    }
    return results;
  }

  windowPerplexity(tokens: Int32Array, options: WindowOptions = {}): number {
    const perWindow = this.config.context - 1;
    let nll = 0;
    let count = 0;
    this.forEachWindowBatch(
      tokens,
      ({ logits: z, targets, windows }) => {
        nll += (crossEntropy(z, targets).dataSync()[0] as number) * windows.length * perWindow;
        count += windows.length * perWindow;
      },
      options,
    );
    if (count === 0) throw new RangeError('windowPerplexity: no windows to score');
    return Math.exp(nll / count);
  }

  layerTensor(name: string, weights: Float32Array): tf.Tensor2D {
    const [dIn, dOut] = this.linear(name).shape as [number, number];
    if (weights.length !== dIn * dOut)
      throw new RangeError(
        `weights for ${name}: expected ${dOut}×${dIn} = ${dIn * dOut} values, got ${weights.length}`,
      );
    return tf.tensor2d(transpose(weights, dOut, dIn), [dIn, dOut]);
  }

  dispose(): void {
    for (const v of this.params.values()) v.dispose();
  }

  /**
   * Parameter lookup with `weights` substituted.
   * @throws {RangeError} when an override names no parameter or has another shape.
   */
  private withWeights(weights: WeightOverrides | undefined): (name: string) => tf.Tensor {
    if (!weights || weights.size === 0) return this.param;
    for (const [name, value] of weights) {
      const own = this.params.get(name);
      if (!own) throw new RangeError(`weight override '${name}': the model has no such parameter`);
      if (own.shape.length !== value.shape.length || own.shape.some((d, i) => d !== value.shape[i])) {
        throw new RangeError(
          `weight override '${name}': shape [${value.shape.join(', ')}], expected [${own.shape.join(', ')}] (tfjs layout)`,
        );
      }
      if (value.isDisposed) throw new RangeError(`weight override '${name}' has been disposed`);
    }
    return (name) => weights.get(name) ?? this.param(name);
  }

  private readonly param = (name: string): tf.Tensor => {
    const v = this.params.get(name);
    if (!v) throw new Error(`the model has no parameter '${name}'`);
    return v;
  };

  /** @throws {Error} when `name` is not a prunable layer. */
  private linear(name: string): tf.Variable {
    if (!this.linears.includes(name))
      throw new Error(`'${name}' is not a prunable layer; expected one of ${this.linears.join(', ')}`);
    return this.params.get(name) as tf.Variable;
  }

  /** Mask [dOut][dIn] (1 keep, 0 prune) as a float tensor in the weight's tfjs layout [dIn, dOut]. */
  private maskTensor(name: string, mask: Uint8Array): tf.Tensor2D {
    const [dIn, dOut] = this.linear(name).shape as [number, number];
    if (mask.length !== dIn * dOut)
      throw new RangeError(`mask for ${name}: expected ${dOut}×${dIn} = ${dIn * dOut} entries, got ${mask.length}`);
    return tf.transpose(tf.tensor2d(Float32Array.from(mask), [dOut, dIn]));
  }
}

/** Lazy statistics of a layer's input [positions, dIn]; call only while `x` is alive (inside its tidy). */
function layerInputs(x: tf.Tensor2D): LayerInputs {
  const positions = x.shape[0];
  let squares: Float32Array | undefined;
  let moment: Float64Array | undefined;
  return {
    positions,
    meanSquares() {
      squares ??= tf.tidy(() => tf.div(tf.sum(tf.square(x), 0), positions).dataSync() as Float32Array);
      return squares;
    },
    secondMoment() {
      // An explicit transpose: wasm's matMul with transposeA is many times slower (ops.ts).
      moment ??= Float64Array.from(
        tf.tidy(() => tf.div(tf.matMul(tf.transpose(x), x), positions).dataSync() as Float32Array),
      );
      return moment;
    },
  };
}

/**
 * Number of whole windows of `t` tokens in `tokens`.
 * @throws {RangeError} when there is not even one, or a token id is outside the vocabulary.
 */
function countWindows(tokens: Int32Array, t: number, vocabSize: number): number {
  const windows = Math.floor(tokens.length / t);
  if (windows < 1) throw new RangeError(`need at least one window of ${t} tokens, got ${tokens.length} tokens`);
  // Out-of-range ids would be gathered silently as zeros; they mean the tokens come from another vocabulary.
  for (let i = 0; i < windows * t; i++) {
    const id = tokens[i] as number;
    if (id < 0 || id >= vocabSize)
      throw new RangeError(`token ${i} has id ${id}, outside the model's vocabulary 0…${vocabSize - 1}`);
  }
  return windows;
}

/** Inputs (first t − 1 tokens) and targets (last t − 1) of windows start … start + b − 1, as int32 [b, t − 1]. */
function windowBatch(
  tokens: Int32Array,
  start: number,
  b: number,
  t: number,
): { inputs: tf.Tensor2D; targets: tf.Tensor2D } {
  const inputs = new Int32Array(b * (t - 1));
  const targets = new Int32Array(b * (t - 1));
  for (let w = 0; w < b; w++) {
    const from = (start + w) * t;
    inputs.set(tokens.subarray(from, from + t - 1), w * (t - 1));
    targets.set(tokens.subarray(from + 1, from + t), w * (t - 1));
  }
  return { inputs: tf.tensor2d(inputs, [b, t - 1], 'int32'), targets: tf.tensor2d(targets, [b, t - 1], 'int32') };
}

/** Inputs and targets, as in {@link windowBatch}, of the listed windows (any order, repeats allowed). */
function selectedWindowBatch(
  tokens: Int32Array,
  windows: readonly number[],
  t: number,
): { inputs: tf.Tensor2D; targets: tf.Tensor2D } {
  const b = windows.length;
  const inputs = new Int32Array(b * (t - 1));
  const targets = new Int32Array(b * (t - 1));
  windows.forEach((window, i) => {
    const from = window * t;
    inputs.set(tokens.subarray(from, from + t - 1), i * (t - 1));
    targets.set(tokens.subarray(from + 1, from + t), i * (t - 1));
  });
  return { inputs: tf.tensor2d(inputs, [b, t - 1], 'int32'), targets: tf.tensor2d(targets, [b, t - 1], 'int32') };
}

/**
 * acc [dIn][dOut] += Σ_w (x_wᵀ·dy_w)², for b windows of `rows` rows each of x [b·rows][dIn] and dy [b·rows][dOut].
 * One plain wasm matMul per window, fed from JS: wasm's batched matMul is a plain loop and its slice and gather
 * read the whole input on every call, each several times slower here.
 */
function addPerWindowSquares(
  acc: Float64Array,
  x: Float32Array,
  dy: Float32Array,
  b: number,
  rows: number,
  dIn: number,
  dOut: number,
): void {
  const xT = new Float32Array(dIn * rows);
  for (let w = 0; w < b; w++) {
    for (let r = 0; r < rows; r++) {
      const from = (w * rows + r) * dIn;
      for (let c = 0; c < dIn; c++) xT[c * rows + r] = x[from + c] as number;
    }
    const product = tf.tidy(() =>
      tf.matMul(
        tf.tensor2d(xT, [dIn, rows]),
        tf.tensor2d(dy.subarray(w * rows * dOut, (w + 1) * rows * dOut), [rows, dOut]),
      ),
    );
    const values = product.dataSync();
    product.dispose();
    for (let j = 0; j < values.length; j++) acc[j] = (acc[j] as number) + (values[j] as number) ** 2;
  }
}

/** Row-major [rows][cols] → [cols][rows]. */
function transpose(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c] as number;
  return out;
}

/** [first window, window count] of each evaluation batch: EVAL_TOKENS_PER_BATCH tokens at most, one window at least. */
function* windowBatches(windows: number, context: number): Generator<[number, number]> {
  const perBatch = Math.max(1, Math.floor(EVAL_TOKENS_PER_BATCH / context));
  for (let start = 0; start < windows; start += perBatch) yield [start, Math.min(perBatch, windows - start)];
}
