// Cholesky factorisation of small dense symmetric matrices in Float64 (row-major n×n), and from it the upper
// Cholesky factor of the inverse that SparseGPT's column-by-column updates read (ALGORITHMS.md §10.4).

/**
 * Lower-triangular L with L·Lᵀ = a (a new array; the strict upper part is zero).
 * @throws {RangeError} when `a` is not positive definite (a pivot ≤ 0 or not finite), naming the column.
 */
export function cholesky(a: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let diagonal = a[j * n + j] as number;
    for (let k = 0; k < j; k++) diagonal -= (l[j * n + k] as number) ** 2;
    if (!(diagonal > 0) || !Number.isFinite(diagonal))
      throw new RangeError(`matrix is not positive definite (pivot ${diagonal} at column ${j} of ${n})`);
    const pivot = Math.sqrt(diagonal);
    l[j * n + j] = pivot;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j] as number;
      for (let k = 0; k < j; k++) s -= (l[i * n + k] as number) * (l[j * n + k] as number);
      l[i * n + j] = s / pivot;
    }
  }
  return l;
}

/** The inverse of a symmetric positive-definite matrix from its Cholesky factor: a⁻¹ = L⁻ᵀ·L⁻¹ (a new array). */
export function inverseFromCholesky(l: Float64Array, n: number): Float64Array {
  // M = L⁻¹ (lower triangular), by forward substitution column by column.
  const m = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    m[j * n + j] = 1 / (l[j * n + j] as number);
    for (let i = j + 1; i < n; i++) {
      let s = 0;
      for (let k = j; k < i; k++) s -= (l[i * n + k] as number) * (m[k * n + j] as number);
      m[i * n + j] = s / (l[i * n + i] as number);
    }
  }
  // a⁻¹[i][j] = Σ_k M[k][i]·M[k][j] over k ≥ max(i, j); symmetric, so fill both halves from one.
  const inverse = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = i; k < n; k++) s += (m[k * n + i] as number) * (m[k * n + j] as number);
      inverse[i * n + j] = s;
      inverse[j * n + i] = s;
    }
  }
  return inverse;
}

/**
 * Upper-triangular U with Uᵀ·U = a⁻¹, as the SparseGPT reference takes it (Cholesky, inverse, upper Cholesky):
 * row c of U, from c on, is a⁻¹ restricted to the columns c… (the ones not yet processed) divided by the square root
 * of its diagonal entry, which is what the optimal update of the later columns needs.
 * @throws {RangeError} when `a` is not positive definite.
 */
export function upperCholeskyOfInverse(a: Float64Array, n: number): Float64Array {
  const lower = cholesky(inverseFromCholesky(cholesky(a, n), n), n);
  const upper = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) upper[j * n + i] = lower[i * n + j] as number;
  return upper;
}
