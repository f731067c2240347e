// CMA-ES with µ/µ_w recombination (Hansen, "The CMA Evolution Strategy: A Tutorial", arXiv:1604.00772, 2016), in the
// form pyribs uses for its emitters (ribs/emitters/opt/_cma_es.py, after Hansen's purecma): parameters recomputed
// from the number of parents of each generation, the simplified σ rule exp(min(1, cs/ds·(|pσ|²/n − 1)/2)), and the
// eigendecomposition redone only every 0.5·n·λ/((c1 + cµ)·n²) evaluations (the "lazy gap"), so its O(n³) cost is
// spread over O(n²)-per-sample work. The rank-one term is the tutorial's c1·pc·pcᵀ with pc in σ-free units; pyribs
// adds c1²·pc·pcᵀ with pc accumulated from unscaled mean steps (σ·pc), which all but switches the term off. `update:
// 'pyribs'` does exactly that, to reproduce pyribs' published numbers (on its sphere, QD about 9% lower than the
// tutorial's update at the same budget).
// `cholesky`: the same C, sampled as mean + σ·L·z with C = L·Lᵀ and whitened by L⁻¹ (the same distribution; pσ then
// lives in L's frame rather than C^(−1/2)'s, as in Cholesky-CMA-ES, Igel, Suttorp & Hansen, GECCO 2006): the lazy
// factorisation costs n³/6 instead of the eigendecomposition's ≈ 6n³, and a sample n²/2. The stop rules then use
// the pivots L_ii², which lie between C's extreme eigenvalues (so the condition number is underestimated).
// `diagonal`: sep-CMA-ES (Ros & Hansen, PPSN 2008): a diagonal C whose learning rates c1, cµ are multiplied by
// (n + 2)/3; O(n) per sample, for large n.
import { decodeFloats, encodeFloats } from './codec.js';
import { dot, symmetricEigen, type SymmetricEigen } from './eigen.js';

export type Covariance = 'full' | 'cholesky' | 'diagonal';
/** hansen: the tutorial's rank-one update; pyribs: pyribs' (ribs/emitters/opt/_cma_es.py `tell`). */
export type CmaUpdate = 'hansen' | 'pyribs';

/** Strategy parameters for µ parents (Hansen 2016, table 1; pyribs `_calc_strat_params`). */
export interface CmaParameters {
  readonly weights: Float64Array;
  readonly mueff: number;
  readonly cc: number;
  readonly cs: number;
  readonly c1: number;
  readonly cmu: number;
  readonly damps: number;
}

export function cmaParameters(n: number, mu: number, covariance: Covariance = 'full'): CmaParameters {
  const weights = new Float64Array(mu);
  let sum = 0;
  for (let i = 0; i < mu; i++) {
    weights[i] = Math.log(mu + 0.5) - Math.log(i + 1);
    sum += weights[i]!;
  }
  let squares = 0;
  for (let i = 0; i < mu; i++) {
    weights[i] = weights[i]! / sum;
    squares += weights[i]! * weights[i]!;
  }
  const mueff = 1 / squares;
  const cc = (4 + mueff / n) / (n + 4 + (2 * mueff) / n);
  const cs = (mueff + 2) / (n + mueff + 5);
  const scale = covariance === 'diagonal' ? (n + 2) / 3 : 1;
  const c1 = Math.min(1, (scale * 2) / ((n + 1.3) ** 2 + mueff));
  const cmu = Math.min(1 - c1, (scale * 2 * (mueff - 2 + 1 / mueff)) / ((n + 2) ** 2 + mueff));
  const damps = 1 + 2 * Math.max(0, Math.sqrt((mueff - 1) / (n + 1)) - 1) + cs;
  return { weights, mueff, cc, cs, c1, cmu, damps };
}

/** The plain data of a CmaEs; arrays as base64 float64. */
export interface CmaState {
  readonly sigma: number;
  readonly evals: number;
  readonly updatedEval: number;
  readonly mean: string;
  readonly pc: string;
  readonly ps: string;
  readonly cov: string;
  /** Eigenvalues of C at the last decomposition (full), the pivots L_ii² (cholesky) or C's diagonal (diagonal). */
  readonly eigenvalues: string;
  /** Eigenvectors at the last decomposition (full) or the Cholesky factor (cholesky). */
  readonly eigenvectors?: string;
}

/**
 * One CMA-ES distribution N(mean, σ²·C). Asks are `sample(z, out)` with z standard normal (the caller draws them,
 * from its checkpointed stream); a generation ends with `tell(parents best first, told)`.
 */
export class CmaEs {
  readonly n: number;
  readonly lambda: number;
  readonly covariance: Covariance;
  readonly update: CmaUpdate;
  /** Evaluations between eigendecompositions (pyribs `lazy_gap_evals`). */
  readonly lazyGap: number;
  sigma = 0;
  /** Evaluations since the last reset (pyribs `current_eval`). */
  evals = 0;
  private updatedEval = 0;
  readonly mean: Float64Array;
  private readonly pc: Float64Array;
  private readonly ps: Float64Array;
  /** Full: n×n row-major, the lower triangle kept (the upper is stale); diagonal: n entries. */
  private readonly cov: Float64Array;
  private readonly eigen: SymmetricEigen;
  /** B·diag(√eigenvalues), row-major: a sample is mean + σ·bd·z. Derived from `eigen`. */
  private readonly bd: Float64Array;
  private readonly scratch: Float64Array;
  /** The rank-µ update's steps, coordinate-major, plain and weighted (reused: one generation's worth). */
  private readonly steps: Float64Array;
  private readonly scaledSteps: Float64Array;
  private readonly params = new Map<number, CmaParameters>();

  constructor(n: number, lambda: number, covariance: Covariance = 'full', update: CmaUpdate = 'hansen') {
    if (!(n >= 1 && lambda >= 2)) throw new Error(`CMA-ES needs n ≥ 1 and λ ≥ 2, got n = ${n}, λ = ${lambda}`);
    this.n = n;
    this.lambda = lambda;
    this.covariance = covariance;
    this.update = update;
    const { c1, cmu } = this.parameters(Math.floor(lambda / 2));
    const full = covariance !== 'diagonal';
    this.lazyGap = full ? (0.5 * n * lambda) / (c1 + cmu) / (n * n) : 0;
    this.mean = new Float64Array(n);
    this.pc = new Float64Array(n);
    this.ps = new Float64Array(n);
    this.cov = new Float64Array(full ? n * n : n);
    this.eigen = { values: new Float64Array(n), vectors: new Float64Array(full ? n * n : 0) };
    this.bd = new Float64Array(covariance === 'full' ? n * n : covariance === 'diagonal' ? n : 0);
    this.scratch = new Float64Array(n);
    this.steps = new Float64Array(full ? n * lambda : 0);
    this.scaledSteps = new Float64Array(full ? n * lambda : 0);
  }

  /** Starts over at `x0` with step size σ0 and C = I (pyribs `reset`). */
  reset(x0: ArrayLike<number>, sigma0: number): void {
    const { n } = this;
    this.sigma = sigma0;
    this.evals = 0;
    this.updatedEval = 0;
    for (let i = 0; i < n; i++) this.mean[i] = x0[i]!;
    this.pc.fill(0);
    this.ps.fill(0);
    this.eigen.values.fill(1);
    if (this.covariance !== 'diagonal') {
      this.cov.fill(0);
      this.eigen.vectors.fill(0);
      this.bd.fill(0);
      for (let i = 0; i < n; i++) {
        this.cov[i * n + i] = 1;
        this.eigen.vectors[i * n + i] = 1;
        this.bd[i * n + i] = 1;
      }
    } else {
      this.cov.fill(1);
      this.bd.fill(1);
    }
  }

  /** Called before the first sample of a generation: redoes the eigendecomposition once the lazy gap has passed. */
  beginGeneration(): void {
    if (this.covariance === 'diagonal' || this.evals <= this.updatedEval + this.lazyGap) return;
    this.updatedEval = this.evals;
    if (this.covariance === 'cholesky') {
      choleskyFactor(this.cov, this.n, this.eigen);
      return;
    }
    symmetricEigen(this.cov, this.n, this.eigen);
    const { values } = this.eigen;
    for (let i = 0; i < this.n; i++) values[i] = Math.abs(values[i]!); // as pyribs: rounding can make one slightly < 0
    this.deriveSampling();
  }

  /** out = mean + σ·B·D·z. */
  sample(z: Float64Array, out: Float64Array): void {
    const { n, mean, sigma, bd } = this;
    if (this.covariance === 'diagonal') {
      for (let i = 0; i < n; i++) out[i] = mean[i]! + sigma * bd[i]! * z[i]!;
      return;
    }
    if (this.covariance === 'cholesky') {
      const l = this.eigen.vectors;
      for (let i = 0; i < n; i++) out[i] = mean[i]! + sigma * dot(l, i * n, z, 0, i + 1);
      return;
    }
    for (let i = 0; i < n; i++) out[i] = mean[i]! + sigma * dot(bd, i * n, z, 0, n);
  }

  /**
   * Ends a generation: `told` samples were evaluated, `parents` (rows of n numbers, best first) are the selected
   * ones, `mu` of them. With mu = 0 only the evaluation count moves (pyribs).
   */
  tell(parents: Float64Array, mu: number, told: number): void {
    this.evals += told;
    if (mu === 0) return;
    const { n, mean, pc, ps, cov, sigma } = this;
    const { weights, mueff, cc, cs, c1, cmu, damps } = this.parameters(mu);
    // y = new mean − old mean; parents become steps d_k = (x_k − old mean)/σ in place.
    const y = new Float64Array(n);
    for (let k = 0; k < mu; k++) {
      const w = weights[k]!;
      for (let i = 0; i < n; i++) y[i] = y[i]! + w * parents[k * n + i]!;
    }
    for (let i = 0; i < n; i++) y[i] = y[i]! - mean[i]!;
    for (let k = 0; k < mu; k++)
      for (let i = 0; i < n; i++) parents[k * n + i] = (parents[k * n + i]! - mean[i]!) / sigma;
    for (let i = 0; i < n; i++) mean[i] = mean[i]! + y[i]!;

    const z = this.whiten(y);
    const psCoef = Math.sqrt(cs * (2 - cs) * mueff) / sigma;
    let psNorm2 = 0;
    for (let i = 0; i < n; i++) {
      ps[i] = (1 - cs) * ps[i]! + psCoef * z[i]!;
      psNorm2 += ps[i]! * ps[i]!;
    }
    const left = psNorm2 / n / (1 - (1 - cs) ** ((2 * this.evals) / this.lambda));
    const hsig = left < 2 + 4 / (n + 1) ? 1 : 0;
    const pyribs = this.update === 'pyribs';
    const pcCoef = (hsig * Math.sqrt(cc * (2 - cc) * mueff)) / (pyribs ? 1 : sigma);
    const rankOne = pyribs ? c1 * c1 : c1;
    for (let i = 0; i < n; i++) pc[i] = (1 - cc) * pc[i]! + pcCoef * y[i]!;

    const c1a = c1 * (1 - (1 - hsig * hsig) * cc * (2 - cc));
    const decay = 1 - c1a - cmu; // Σ weights = 1
    if (this.covariance === 'diagonal') {
      for (let i = 0; i < n; i++) {
        let rankMu = 0;
        for (let k = 0; k < mu; k++) rankMu += weights[k]! * parents[k * n + i]! ** 2;
        cov[i] = decay * cov[i]! + rankOne * pc[i]! * pc[i]! + cmu * rankMu;
      }
      for (let i = 0; i < n; i++) this.eigen.values[i] = cov[i]!;
      this.deriveSampling();
    } else {
      // The lower triangle (all the decompositions read): C ← decay·C + c1·pc·pcᵀ + cµ·Σ w_k d_k d_kᵀ (pyribs: c1²).
      // The steps are transposed first (coordinate-major) so that each entry's sum over k runs along memory.
      const { steps, scaledSteps: scaled } = this;
      for (let k = 0; k < mu; k++)
        for (let i = 0; i < n; i++) {
          steps[i * mu + k] = parents[k * n + i]!;
          scaled[i * mu + k] = cmu * weights[k]! * parents[k * n + i]!;
        }
      for (let i = 0; i < n; i++) {
        const row = i * n;
        const a = rankOne * pc[i]!;
        for (let j = 0; j <= i; j++)
          cov[row + j] = decay * cov[row + j]! + a * pc[j]! + dot(scaled, i * mu, steps, j * mu, mu);
      }
    }
    this.sigma = sigma * Math.exp(Math.min(1, ((cs / damps) * (psNorm2 / n - 1)) / 2));
  }

  /**
   * CMA-ES's own stop rules, pyribs' tolerances (from pycma): condition number above 1e14, σ·√λmax below 1e-11,
   * a non-finite σ, or `flat` (the caller's ranking values did not differ).
   */
  shouldStop(flat: boolean): boolean {
    const { values } = this.eigen;
    let max = 0;
    let min = Infinity;
    for (let i = 0; i < this.n; i++) {
      const v = values[i]!;
      if (v > max) max = v;
      if (v < min) min = v;
    }
    if (!(max / min <= 1e14)) return true;
    if (!(this.sigma * Math.sqrt(max) >= 1e-11) || !Number.isFinite(this.sigma)) return true;
    return flat;
  }

  /** C as a fresh row-major n×n matrix (diagonal: its diagonal). For tests and inspection. */
  covarianceMatrix(): Float64Array {
    const c = this.cov.slice();
    const { n } = this;
    if (this.covariance !== 'diagonal')
      for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) c[j * n + i] = c[i * n + j]!;
    return c;
  }

  /** Eigenvalues of the last decomposition. */
  eigenvalues(): Float64Array {
    return this.eigen.values.slice();
  }

  state(): CmaState {
    const state: CmaState = {
      sigma: this.sigma,
      evals: this.evals,
      updatedEval: this.updatedEval,
      mean: encodeFloats(this.mean),
      pc: encodeFloats(this.pc),
      ps: encodeFloats(this.ps),
      cov: encodeFloats(this.cov),
      eigenvalues: encodeFloats(this.eigen.values),
    };
    return this.covariance === 'diagonal' ? state : { ...state, eigenvectors: encodeFloats(this.eigen.vectors) };
  }

  restore(state: CmaState): void {
    const { n } = this;
    const full = this.covariance !== 'diagonal';
    this.sigma = state.sigma;
    this.evals = state.evals;
    this.updatedEval = state.updatedEval;
    this.mean.set(decodeFloats(state.mean, n));
    this.pc.set(decodeFloats(state.pc, n));
    this.ps.set(decodeFloats(state.ps, n));
    this.cov.set(decodeFloats(state.cov, full ? n * n : n));
    this.eigen.values.set(decodeFloats(state.eigenvalues, n));
    if (full) {
      if (state.eigenvectors === undefined) throw new Error('a full-covariance CMA-ES state needs its factor');
      this.eigen.vectors.set(decodeFloats(state.eigenvectors, n * n));
    }
    this.deriveSampling();
  }

  /** C^(−1/2)·y = B·D⁻¹·Bᵀ·y with the last decomposition (diagonal: y/√c). */
  private whiten(y: Float64Array): Float64Array {
    const { n } = this;
    const values = this.eigen.values;
    const out = new Float64Array(n);
    if (this.covariance === 'diagonal') {
      for (let i = 0; i < n; i++) out[i] = y[i]! / Math.sqrt(values[i]!);
      return out;
    }
    const b = this.eigen.vectors;
    if (this.covariance === 'cholesky') {
      for (let i = 0; i < n; i++) out[i] = (y[i]! - dot(b, i * n, out, 0, i)) / b[i * n + i]!; // L·w = y, forward
      return out;
    }
    const t = this.scratch.fill(0);
    for (let i = 0; i < n; i++) {
      const yi = y[i]!;
      const row = i * n;
      for (let j = 0; j < n; j++) t[j] = t[j]! + b[row + j]! * yi;
    }
    for (let j = 0; j < n; j++) t[j] = t[j]! / Math.sqrt(values[j]!);
    for (let i = 0; i < n; i++) out[i] = dot(b, i * n, t, 0, n);
    return out;
  }

  private deriveSampling(): void {
    const { n, bd } = this;
    const { values, vectors } = this.eigen;
    if (this.covariance === 'diagonal') {
      for (let i = 0; i < n; i++) bd[i] = Math.sqrt(values[i]!);
      return;
    }
    if (this.covariance === 'cholesky') return; // sampled from the factor itself
    for (let j = 0; j < n; j++) this.scratch[j] = Math.sqrt(values[j]!);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) bd[i * n + j] = vectors[i * n + j]! * this.scratch[j]!;
  }

  private parameters(mu: number): CmaParameters {
    let p = this.params.get(mu);
    if (!p) {
      p = cmaParameters(this.n, mu, this.covariance);
      this.params.set(mu, p);
    }
    return p;
  }
}

/**
 * C = L·Lᵀ into `out.vectors` (row-major, lower triangle; upper zero) with the pivots L_ii² in `out.values`. A
 * non-positive pivot (C no longer numerically positive definite) leaves a zero pivot: the stop rule then restarts.
 */
function choleskyFactor(c: Float64Array, n: number, out: SymmetricEigen): void {
  const l = out.vectors;
  l.fill(0);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const s = c[i * n + j]! - dot(l, i * n, l, j * n, j);
      if (i === j) {
        if (!(s > 0)) {
          out.values.fill(0);
          out.values[0] = 1;
          l.fill(0);
          for (let k = 0; k < n; k++) l[k * n + k] = 1; // sample on as C = I until the restart
          return;
        }
        l[i * n + i] = Math.sqrt(s);
        out.values[i] = s;
      } else l[i * n + j] = s / l[j * n + j]!;
    }
  }
}
