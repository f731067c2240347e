// EvoPress' fitness (ALGORITHMS.md §4.3): KL(teacher ‖ student) per predicted token, the teacher being the dense model.
// The teacher's distribution is kept as its top-K log-probabilities and their token ids, plus the log-mass of all other
// tokens; the KL is then the exact KL of the coarse-grained distributions over {each top-K token, the rest} (exact
// when K ≥ vocab, 0 for the dense model, ≥ 0 always, and never more than the full KL).
import * as tf from '@tensorflow/tfjs';
import type { LanguageModel, WeightOverrides } from '../../lm/model.js';

/** The dense model's next-token distributions on the calibration windows, position by position. */
export interface Teacher {
  readonly windows: number;
  /** Predictions per window: context − 1. */
  readonly perWindow: number;
  readonly vocab: number;
  /** Tokens kept per position (vocab when exact). */
  readonly k: number;
  /** K ≥ vocab: the full log-softmax is kept, in token order, and there is no rest bucket. */
  readonly exact: boolean;
  /** [windows·perWindow·k] log-probabilities: the top-K in descending order, or all of them when exact. */
  readonly logProbs: Float32Array;
  /** [windows·perWindow·k] token ids of logProbs (top-K only). */
  readonly indices: Int32Array | undefined;
  /** [windows·perWindow] log of the probability of all tokens outside the top-K (top-K only). */
  readonly restLogProb: Float32Array | undefined;
}

// A rest mass below this is treated as this (log ≈ −69): it keeps logs finite, and such a bucket weighs nothing.
const TINY_MASS = 1e-30;

/** Runs the dense model over every whole window of `tokens` and keeps its top-`topK` log-probabilities per position. */
export function computeTeacher(model: LanguageModel, tokens: Int32Array, topK: number): Teacher {
  const { vocabSize: vocab, context } = model.config;
  const perWindow = context - 1;
  const windows = Math.floor(tokens.length / context);
  const exact = topK >= vocab;
  const k = exact ? vocab : topK;
  const logProbs = new Float32Array(windows * perWindow * k);
  const indices = exact ? undefined : new Int32Array(windows * perWindow * k);
  const restLogProb = exact ? undefined : new Float32Array(windows * perWindow);
  model.forEachWindowBatch(tokens, ({ logits, windows: batch }) => {
    const n = logits.shape[0];
    const row = (batch[0] as number) * perWindow; // all windows, in order: each batch is contiguous
    const { shifted, e, logS } = normalise(logits);
    if (exact) {
      logProbs.set(tf.sub(shifted, tf.reshape(logS, [n, 1])).dataSync() as Float32Array, row * k);
      return;
    }
    const top = tf.topk(shifted, k, true);
    logProbs.set(tf.sub(top.values, tf.reshape(logS, [n, 1])).dataSync() as Float32Array, row * k);
    const ids = top.indices.dataSync() as Int32Array;
    indices?.set(ids, row * k);
    restLogProb?.set(restLogMass(e, logS, flatPositions(ids, n, k, vocab), vocab).dataSync() as Float32Array, row);
  });
  return { windows, perWindow, vocab, k, exact, logProbs, indices, restLogProb };
}

/** Sums over the scored positions; divide by `predictions` for means. */
export interface StudentScore {
  /** Σ KL(teacher ‖ student) (NaN without a teacher). */
  readonly kl: number;
  /** Σ −log p_student(next token). */
  readonly nll: number;
  readonly predictions: number;
}

/**
 * Scores the model with `weights` substituted on the given calibration windows: summed coarse-grained KL against
 * the teacher (when given) and summed next-token negative log-likelihood.
 * @throws {Error} the signal's reason when it is aborted between two batches.
 */
export function scoreStudent(
  model: LanguageModel,
  tokens: Int32Array,
  windows: readonly number[],
  weights: WeightOverrides | undefined,
  teacher: Teacher | undefined,
  signal?: AbortSignal,
): StudentScore {
  const { vocabSize: vocab } = model.config;
  if (teacher && (teacher.vocab !== vocab || teacher.perWindow !== model.config.context - 1))
    throw new Error('the teacher was computed for another model');
  let kl = 0;
  let nll = 0;
  let predictions = 0;
  model.forEachWindowBatch(
    tokens,
    ({ logits, targets, windows: batch }) => {
      signal?.throwIfAborted();
      const n = logits.shape[0];
      const { shifted, e, logS } = normalise(logits);
      const flat = tf.reshape(shifted, [-1]) as tf.Tensor1D;
      const targetAt = tf.add(tf.mul(tf.range(0, n, 1, 'int32'), tf.scalar(vocab, 'int32')), targets) as tf.Tensor1D;
      const parts: tf.Tensor[] = [tf.sum(tf.sub(logS, tf.gather(flat, targetAt)))];
      if (teacher) {
        const logSColumn = tf.reshape(logS, [n, 1]);
        const k = teacher.k;
        const lp = tf.tensor2d(teacherRows(teacher.logProbs, batch, teacher.perWindow * k), [n, k]);
        if (teacher.exact) {
          parts.push(tf.sum(tf.mul(tf.exp(lp), tf.sub(lp, tf.sub(shifted, logSColumn)))));
        } else {
          const at = flatPositions(
            teacherRows(teacher.indices as Int32Array, batch, teacher.perWindow * k),
            n,
            k,
            vocab,
          );
          const lq = tf.sub(tf.reshape(tf.gather(flat, at), [n, k]), logSColumn);
          const lpRest = tf.tensor1d(teacherRows(teacher.restLogProb as Float32Array, batch, teacher.perWindow));
          const lqRest = restLogMass(e, logS, at, vocab);
          parts.push(
            tf.add(tf.sum(tf.mul(tf.exp(lp), tf.sub(lp, lq))), tf.sum(tf.mul(tf.exp(lpRest), tf.sub(lpRest, lqRest)))),
          );
        }
      }
      const values = tf.stack(parts).dataSync();
      nll += values[0] as number;
      if (teacher) kl += values[1] as number;
      predictions += n;
    },
    { windows, ...(weights ? { weights } : {}) },
  );
  return { kl: teacher ? kl : NaN, nll, predictions };
}

/** logits − row max, its exp, and log of the row sums of the exp (so log p = shifted − logS). */
function normalise(logits: tf.Tensor2D): { shifted: tf.Tensor2D; e: tf.Tensor2D; logS: tf.Tensor1D } {
  const shifted = tf.sub(logits, tf.max(logits, 1, true)) as tf.Tensor2D;
  const e = tf.exp(shifted) as tf.Tensor2D;
  return { shifted, e, logS: tf.log(tf.sum(e, 1)) as tf.Tensor1D };
}

/**
 * log Σ_{j outside the listed ids} p_j per row, summed directly over the other tokens (no 1 − Σ top cancellation):
 * `at` holds the flat positions row·vocab + id of the listed ids, `e` = exp(shifted logits), `logS` its log row sums.
 */
function restLogMass(e: tf.Tensor2D, logS: tf.Tensor1D, at: tf.Tensor1D, vocab: number): tf.Tensor1D {
  const n = e.shape[0];
  const listed = tf.reshape(tf.scatterND(tf.reshape(at, [-1, 1]), tf.ones([at.shape[0]]), [n * vocab]), [n, vocab]);
  const rest = tf.maximum(tf.sum(tf.mul(e, tf.sub(1, listed)), 1), TINY_MASS);
  return tf.sub(tf.log(rest), logS) as tf.Tensor1D;
}

/** Flat positions row·vocab + id of k ids per row, as an int32 tensor [n·k]. */
function flatPositions(ids: Int32Array, n: number, k: number, vocab: number): tf.Tensor1D {
  const flat = new Int32Array(n * k);
  for (let r = 0; r < n; r++) for (let j = 0; j < k; j++) flat[r * k + j] = r * vocab + (ids[r * k + j] as number);
  return tf.tensor1d(flat, 'int32');
}

/** The teacher's rows of the listed windows, concatenated (`size` values per window). */
function teacherRows<A extends Float32Array | Int32Array>(data: A, windows: readonly number[], size: number): A {
  const out = new (data.constructor as new (length: number) => A)(windows.length * size);
  windows.forEach((w, i) => out.set(data.subarray(w * size, (w + 1) * size), i * size));
  return out;
}
