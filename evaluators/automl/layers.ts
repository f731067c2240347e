// The two layers the AutoML MLP is built from, beside tf.layers: a dense layer whose gradient is computed with plain
// matrix products, and a dropout layer with seeded masks. Imported lazily: it loads tfjs.
import * as tf from '@tensorflow/tfjs';
import type { Activation } from './genome.js';

/** The activations as tfjs ops (tfjs-layers' definitions: elu α = 1, swish x·sigmoid(x)), plus softmax for the output. */
const ACTIVATION_OPS: Record<Activation | 'softmax', (x: tf.Tensor) => tf.Tensor> = {
  relu: (x) => tf.relu(x),
  relu6: (x) => tf.relu6(x),
  elu: (x) => tf.elu(x),
  selu: (x) => tf.selu(x),
  tanh: (x) => tf.tanh(x),
  sigmoid: (x) => tf.sigmoid(x),
  softplus: (x) => tf.softplus(x),
  swish: (x) => tf.mul(x, tf.sigmoid(x)),
  linear: (x) => x,
  softmax: (x) => tf.softmax(x),
};

/**
 * x·W + b with the gradient written as plain products of explicit transposes: dx = dy·transpose(W),
 * dW = transpose(x)·dy, db = Σ dy. tfjs-wasm's matMul with a transpose flag (what the stock Dense gradient calls)
 * takes a slow path, 10–15× slower than a plain matMul on these shapes: a 3 × 256 training step is 2.5–4× faster.
 */
const affine = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x, w, b, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc];
  save([x, w]);
  return {
    value: tf.add(tf.matMul(x, w), b),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sx, sw] = saved as [tf.Tensor2D, tf.Tensor2D];
      const dy2 = dy as tf.Tensor2D;
      return [tf.matMul(dy2, tf.transpose(sw)), tf.matMul(tf.transpose(sx), dy2), tf.sum(dy2, 0)];
    },
  };
});

export interface MlpDenseArgs {
  readonly units: number;
  readonly activation: Activation | 'softmax';
  /** Seed of the Glorot-uniform kernel initialiser (biases start at 0). */
  readonly seed: number;
  /** For the first layer of a tf.sequential. */
  readonly inputShape?: number[];
}

/**
 * A dense layer (the maths and initialisation of tf.layers.dense with a Glorot-uniform kernel and zero bias) whose
 * gradient avoids tfjs-wasm's slow transposed matMul (see `affine`).
 */
export class MlpDense extends tf.layers.Layer {
  static readonly className = 'ElitesMlpDense';
  private readonly units: number;
  private readonly activation: Activation | 'softmax';
  private readonly seed: number;
  private kernel: tf.LayerVariable | undefined;
  private bias: tf.LayerVariable | undefined;

  constructor(args: MlpDenseArgs) {
    super(args.inputShape ? { inputShape: args.inputShape } : {});
    this.units = args.units;
    this.activation = args.activation;
    this.seed = args.seed;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const inputs = shape[shape.length - 1]!;
    this.kernel = this.addWeight(
      'kernel',
      [inputs, this.units],
      'float32',
      tf.initializers.glorotUniform({ seed: this.seed }),
    );
    this.bias = this.addWeight('bias', [this.units], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [...shape.slice(0, -1), this.units];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0]! : inputs) as tf.Tensor2D;
      const w = this.kernel!.read() as tf.Tensor2D;
      const b = this.bias!.read() as tf.Tensor1D;
      return ACTIVATION_OPS[this.activation](affine(x, w, b));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), units: this.units, activation: this.activation, seed: this.seed };
  }
}

/**
 * Dropout whose masks are seeded: the n-th training call draws its mask from `${seed}/${n}`. tfjs' own Dropout layer
 * either draws from Math.random (no seed) or, with a seed, draws the same mask at every step (its seed is a fixed
 * argument of every randomUniform call), so neither gives seeded, varying masks. Inference passes the input through.
 */
export class SeededDropout extends tf.layers.Layer {
  static readonly className = 'ElitesSeededDropout';
  private calls = 0;

  constructor(
    private readonly rate: number,
    private readonly seed: string,
  ) {
    super({});
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    if (kwargs.training !== true) return x;
    return tf.dropout(x, this.rate, undefined, `${this.seed}/${this.calls++}`);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), rate: this.rate, seed: this.seed };
  }
}
