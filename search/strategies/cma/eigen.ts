// Eigendecomposition of a symmetric matrix: Householder reduction to tridiagonal form, then the implicit QL
// method with shifts (the EISPACK routines tred2/tql2; Wilkinson & Reinsch, Handbook for Automatic Computation II,
// 1971). About 6n³ flops with eigenvectors, several times fewer than cyclic Jacobi, which matters because
// CMA-ES redoes it every few generations of every emitter.

/** Eigenvalues ascending; `vectors` row-major n×n whose column j is the unit eigenvector of values[j]. */
export interface SymmetricEigen {
  readonly values: Float64Array;
  readonly vectors: Float64Array;
}

/**
 * Decomposes the symmetric n×n row-major matrix `a` (only its lower triangle is read) into V·diag(d)·Vᵀ.
 * Writes into `out` when given (reused buffers: no allocation per call).
 */
export function symmetricEigen(a: Float64Array, n: number, out?: SymmetricEigen): SymmetricEigen {
  const v = out?.vectors ?? new Float64Array(n * n);
  const d = out?.values ?? new Float64Array(n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) {
      v[i * n + j] = a[i * n + j]!;
      v[j * n + i] = a[i * n + j]!;
    }
  const e = new Float64Array(n);
  // The routines work on Vᵀ (row i = eigenvector i): their inner loops then run along contiguous memory.
  tridiagonalize(v, d, e, n);
  tridiagonalQl(v, d, e, n);
  sortAscending(v, d, n);
  transposeInPlace(v, n);
  return { values: d, vectors: v };
}

/** tred2 on Vᵀ: the symmetric matrix in v becomes Qᵀ of the orthogonal transform; d, e the tridiagonal. */
function tridiagonalize(v: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  for (let j = 0; j < n; j++) d[j] = v[j * n + n - 1]!;
  for (let i = n - 1; i > 0; i--) {
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]!);
    if (scale === 0) {
      e[i] = d[i - 1]!;
      for (let j = 0; j < i; j++) {
        d[j] = v[j * n + i - 1]!;
        v[j * n + i] = 0;
        v[i * n + j] = 0;
      }
    } else {
      // The Householder vector that zeroes row i left of the subdiagonal.
      for (let k = 0; k < i; k++) {
        d[k] = d[k]! / scale;
        h += d[k]! * d[k]!;
      }
      let f = d[i - 1]!;
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      for (let j = 0; j < i; j++) {
        f = d[j]!;
        v[i * n + j] = f;
        g = e[j]! + v[j * n + j]! * f;
        for (let k = j + 1; k <= i - 1; k++) {
          g += v[j * n + k]! * d[k]!;
          e[k] = e[k]! + v[j * n + k]! * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j] = e[j]! / h;
        f += e[j]! * d[j]!;
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] = e[j]! - hh * d[j]!;
      for (let j = 0; j < i; j++) {
        f = d[j]!;
        g = e[j]!;
        for (let k = j; k <= i - 1; k++) v[j * n + k] = v[j * n + k]! - (f * e[k]! + g * d[k]!);
        d[j] = v[j * n + i - 1]!;
        v[j * n + i] = 0;
      }
    }
    d[i] = h;
  }
  // Accumulate the transformations.
  for (let i = 0; i < n - 1; i++) {
    v[i * n + n - 1] = v[i * n + i]!;
    v[i * n + i] = 1;
    const h = d[i + 1]!;
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = v[(i + 1) * n + k]! / h;
      for (let j = 0; j <= i; j++) {
        const g = dot(v, (i + 1) * n, v, j * n, i + 1);
        for (let k = 0; k <= i; k++) v[j * n + k] = v[j * n + k]! - g * d[k]!;
      }
    }
    for (let k = 0; k <= i; k++) v[(i + 1) * n + k] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = v[j * n + n - 1]!;
    v[j * n + n - 1] = 0;
  }
  v[(n - 1) * n + n - 1] = 1;
  e[0] = 0;
}

/** tql2 on Vᵀ: diagonalises the tridiagonal (d, e) by implicit QL steps, rotating the rows along. */
function tridiagonalQl(v: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i]!;
  e[n - 1] = 0;
  let f = 0;
  let tst1 = 0;
  const eps = 2 ** -52;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]!) + Math.abs(e[l]!));
    let m = l;
    while (m < n) {
      if (Math.abs(e[m]!) <= eps * tst1) break;
      m++;
    }
    if (m === n) m = n - 1; // e[n−1] is 0, so this only guards the loop bound
    if (m > l) {
      let iterations = 0;
      do {
        if (++iterations > 60) throw new Error('symmetricEigen: the QL iteration did not converge');
        let g = d[l]!;
        let p = (d[l + 1]! - g) / (2 * e[l]!);
        let r = hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l]! / (p + r);
        d[l + 1] = e[l]! * (p + r);
        const dl1 = d[l + 1]!;
        let h = g - d[l]!;
        for (let i = l + 2; i < n; i++) d[i] = d[i]! - h;
        f += h;
        p = d[m]!;
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1]!;
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i]!;
          h = c * p;
          r = hypot(p, e[i]!);
          e[i + 1] = s * r;
          s = e[i]! / r;
          c = p / r;
          p = c * d[i]! - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]!);
          const ri = i * n;
          const ri1 = ri + n;
          for (let k = 0; k < n; k++) {
            const vk1 = v[ri1 + k]!;
            const vk = v[ri + k]!;
            v[ri1 + k] = s * vk + c * vk1;
            v[ri + k] = c * vk - s * vk1;
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]!) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]!) > eps * tst1);
    }
    d[l] = d[l]! + f;
    e[l] = 0;
  }
}

/** √(a² + b²) without Math.hypot's slow general path; the entries of a covariance matrix never overflow here. */
function hypot(a: number, b: number): number {
  return Math.sqrt(a * a + b * b);
}

function transposeInPlace(v: Float64Array, n: number): void {
  for (let i = 0; i < n; i++)
    for (let j = 0; j < i; j++) {
      const t = v[i * n + j]!;
      v[i * n + j] = v[j * n + i]!;
      v[j * n + i] = t;
    }
}

/** Selection sort of the eigenpairs by value (n swaps of rows at most). */
function sortAscending(v: Float64Array, d: Float64Array, n: number): void {
  for (let i = 0; i < n - 1; i++) {
    let k = i;
    let p = d[i]!;
    for (let j = i + 1; j < n; j++) {
      if (d[j]! < p) {
        k = j;
        p = d[j]!;
      }
    }
    if (k === i) continue;
    d[k] = d[i]!;
    d[i] = p;
    for (let j = 0; j < n; j++) {
      const t = v[i * n + j]!;
      v[i * n + j] = v[k * n + j]!;
      v[k * n + j] = t;
    }
  }
}

/**
 * Σ a[ao + j]·b[bo + j] for j < n, in four independent sums: one running sum waits for each add to finish, which
 * made CMA-ES's n²-per-sample products latency-bound. (Another summation order than a plain loop: still deterministic.)
 */
export function dot(a: Float64Array, ao: number, b: Float64Array, bo: number, n: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let j = 0;
  for (; j + 3 < n; j += 4) {
    s0 += a[ao + j]! * b[bo + j]!;
    s1 += a[ao + j + 1]! * b[bo + j + 1]!;
    s2 += a[ao + j + 2]! * b[bo + j + 2]!;
    s3 += a[ao + j + 3]! * b[bo + j + 3]!;
  }
  for (; j < n; j++) s0 += a[ao + j]! * b[bo + j]!;
  return s0 + s1 + (s2 + s3);
}
