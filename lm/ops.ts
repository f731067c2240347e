// Differentiable tfjs ops for the small LM, with gradients written for the wasm backend's fast paths.
import * as tf from '@tensorflow/tfjs';

type GradFunc<T extends tf.Tensor> = (dy: T, saved: tf.Tensor[]) => tf.Tensor | tf.Tensor[];

/** tf.customGrad with the argument and result types kept (its own typing erases them). */
function withGradient<A extends tf.Tensor[], T extends tf.Tensor>(
  f: (...args: [...A, tf.GradSaveFunc]) => { value: T; gradFunc: GradFunc<T> },
): (...args: A) => T {
  return tf.customGrad(f as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (...args: A) => T;
}

// Why custom gradients: on wasm, matMul with transposeA/transposeB is 10–20× slower than an explicit transpose
// followed by a plain matMul, and tfjs's built-in matMul gradients use the flags.

/** x [n, dIn] · w [dIn, dOut] → [n, dOut], with a gradient that transposes explicitly. */
export const linear = withGradient((x: tf.Tensor2D, w: tf.Tensor2D, save: tf.GradSaveFunc) => {
  save([x, w]);
  return {
    value: tf.matMul(x, w) as tf.Tensor2D,
    gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
      const [xs, ws] = saved as [tf.Tensor2D, tf.Tensor2D];
      return [tf.matMul(dy, tf.transpose(ws)), tf.matMul(tf.transpose(xs), dy)];
    },
  };
});

/**
 * Batched a [n, p, q] · b [n, q, r] → [n, p, r], with a gradient that transposes explicitly. (wasm runs every
 * batched matMul on a plain loop, ~4 GFLOP/s with or without flags; attention's q·kᵀ and p·v are its main users.)
 */
export const batchMatMul = withGradient((a: tf.Tensor3D, b: tf.Tensor3D, save: tf.GradSaveFunc) => {
  save([a, b]);
  return {
    value: tf.matMul(a, b) as tf.Tensor3D,
    gradFunc: (dy: tf.Tensor3D, saved: tf.Tensor[]) => {
      const [as, bs] = saved as [tf.Tensor3D, tf.Tensor3D];
      return [tf.matMul(dy, tf.transpose(bs, [0, 2, 1])), tf.matMul(tf.transpose(as, [0, 2, 1]), dy)];
    },
  };
});

/**
 * Rows of `table` [vocab, d] at `ids` (int32, any shape, flattened) → [ids.size, d]. Forward is a gather; the
 * gradient is a scatter-add of dy into the rows (gather's own gradient needs UnsortedSegmentSum, which wasm lacks;
 * ScatterNd sums duplicate indices and costs O(ids·d) instead of a one-hot matMul's O(ids·vocab·d)).
 */
export function embed(table: tf.Tensor2D, ids: tf.Tensor): tf.Tensor2D {
  const flat = tf.reshape(ids, [-1]) as tf.Tensor1D;
  const op = withGradient((t: tf.Tensor2D, _save: tf.GradSaveFunc) => ({
    value: tf.gather(t, flat) as tf.Tensor2D,
    gradFunc: (dy: tf.Tensor2D) => tf.scatterND(tf.reshape(flat, [-1, 1]), dy, t.shape),
  }));
  return op(table);
}

/** Layer normalisation over the last axis: (x − mean)/sqrt(var + 1e-5)·gain + bias. */
export function layerNorm(x: tf.Tensor2D, gain: tf.Tensor1D, bias: tf.Tensor1D): tf.Tensor2D {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, 1e-5))), gain), bias);
}

/**
 * Mean next-token cross-entropy of `logits` [n, vocab] against `targets` (int32, n ids), with the closed-form
 * gradient (softmax − oneHot)/n. One native softmax pass does the work: tfjs's logSoftmax and exp on wasm are
 * composite and 2–3× slower. log p_target = z_target − z_max + log p_max, exact even when p_target underflows.
 */
export function crossEntropy(logits: tf.Tensor2D, targets: tf.Tensor): tf.Scalar {
  const flat = tf.reshape(targets, [-1]) as tf.Tensor1D;
  const op = withGradient((z: tf.Tensor2D, save: tf.GradSaveFunc) => {
    const [n, vocab] = z.shape;
    const probs = tf.softmax(z);
    // Positions of the targets in the flattened [n·vocab] logits.
    const at = tf.reshape(tf.add(tf.mul(tf.range(0, n, 1, 'int32'), tf.scalar(vocab, 'int32')), flat), [-1, 1]);
    const picked = tf.gatherND(tf.reshape(z, [-1]), at);
    const logProb = tf.add(tf.sub(picked, tf.max(z, -1)), tf.log(tf.max(probs, -1)));
    save([probs, at]);
    return {
      value: tf.div(tf.neg(tf.sum(logProb)), n) as tf.Scalar,
      gradFunc: (dy: tf.Scalar, saved: tf.Tensor[]) => {
        const [p, positions] = saved as [tf.Tensor2D, tf.Tensor2D];
        const oneHot = tf.reshape(tf.scatterND(positions, tf.ones([n]), [n * vocab]), [n, vocab]);
        return tf.mul(tf.sub(p, oneHot), tf.div(dy, n));
      },
    };
  });
  return op(logits);
}

/** Additive causal mask [t, t]: 0 on and below the diagonal, −1e9 above (a position sees only its past). */
export function causalMask(t: number): tf.Tensor2D {
  return tf.tidy(() => tf.mul(tf.sub(1, tf.linalg.bandPart(tf.ones([t, t]), -1, 0)), -1e9) as tf.Tensor2D);
}
