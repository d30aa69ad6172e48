/**
 * Dense symmetric linear algebra in float64 JavaScript, for the Fréchet distance's matrix square roots. Feature
 * dimensions are ~128, so O(d³) loops take milliseconds; float64 and an eigensolver that never divides by a small
 * pivot avoid the NaNs and imaginary parts that scipy.linalg.sqrtm is known for on near-singular covariances.
 *
 * Matrices are Float64Array [n, n] row-major.
 */

/** Sweeps of the cyclic Jacobi method before giving up (it converges quadratically; ~10 suffice for n = 128). */
const MAX_JACOBI_SWEEPS = 64;
/** Stop when the off-diagonal Frobenius norm is below this fraction of the whole matrix's. */
const JACOBI_TOLERANCE = 1e-14;

/** Eigenvalues and eigenvectors of a symmetric matrix: A = V diag(values) Vᵀ; column k of `vectors` is vector k. */
export interface SymmetricEigen {
  values: Float64Array;
  /** [n, n] row-major, orthonormal columns. */
  vectors: Float64Array;
}

/**
 * Eigendecomposition of the symmetric matrix `matrix` [n, n] by the cyclic Jacobi method (Golub & Van Loan §8.5):
 * plane rotations zero each off-diagonal entry in turn until the off-diagonal part vanishes. Only the symmetric part
 * (A + Aᵀ)/2 is used. Unconditionally stable; accurate eigenvalues even for tiny ones.
 */
export function symmetricEigen(matrix: Float64Array, n: number): SymmetricEigen {
  if (matrix.length !== n * n) throw new RangeError(`symmetricEigen: ${matrix.length} values for [${n}, ${n}]`);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) a[i * n + j] = (matrix[i * n + j]! + matrix[j * n + i]!) / 2;
  }
  const vectors = new Float64Array(n * n);
  for (let i = 0; i < n; i++) vectors[i * n + i] = 1;

  let total = 0;
  for (let index = 0; index < n * n; index++) total += a[index]! * a[index]!;
  const threshold = JACOBI_TOLERANCE * JACOBI_TOLERANCE * total;

  for (let sweep = 0; sweep < MAX_JACOBI_SWEEPS; sweep++) {
    let offDiagonal = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) offDiagonal += 2 * a[p * n + q]! ** 2;
    if (offDiagonal <= threshold) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q]!;
        if (apq === 0) continue;
        // The rotation angle θ that zeroes a_pq: t = tan θ, the smaller root of t² + 2τt − 1 = 0.
        const tau = (a[q * n + q]! - a[p * n + p]!) / (2 * apq);
        const t = Math.sign(tau || 1) / (Math.abs(tau) + Math.sqrt(1 + tau * tau));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = t * c;
        // A ← Jᵀ A J, touching rows and columns p and q only.
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p]!;
          const akq = a[k * n + q]!;
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k]!;
          const aqk = a[q * n + k]!;
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = vectors[k * n + p]!;
          const vkq = vectors[k * n + q]!;
          vectors[k * n + p] = c * vkp - s * vkq;
          vectors[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = a[i * n + i]!;
  return { values, vectors };
}

/**
 * The symmetric positive semi-definite square root of a symmetric matrix: V diag(√max(λ, 0)) Vᵀ. Eigenvalues that
 * rounding made slightly negative are taken as 0 (a covariance is PSD).
 */
export function symmetricSqrt(matrix: Float64Array, n: number): Float64Array {
  const { values, vectors } = symmetricEigen(matrix, n);
  const roots = values.map((value) => Math.sqrt(Math.max(value, 0)));
  const result = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let sum = 0;
      for (let k = 0; k < n; k++) sum += vectors[i * n + k]! * roots[k]! * vectors[j * n + k]!;
      result[i * n + j] = sum;
      result[j * n + i] = sum;
    }
  }
  return result;
}

/** The product a·b of two [n, n] matrices. */
export function multiply(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const result = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) {
      const aik = a[i * n + k]!;
      if (aik === 0) continue;
      for (let j = 0; j < n; j++) result[i * n + j] = result[i * n + j]! + aik * b[k * n + j]!;
    }
  }
  return result;
}

/** The trace of an [n, n] matrix. */
export function trace(matrix: Float64Array, n: number): number {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += matrix[i * n + i]!;
  return sum;
}
