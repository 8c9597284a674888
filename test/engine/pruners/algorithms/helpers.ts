/** Small fixtures shared by the algorithm tests. */
import { matrix, type Matrix } from '../../../../src/engine/pruners/algorithms/matrix';
import { seededUniform } from '../../../../src/shared/random';

/** A [rows × cols] matrix of seeded values in [−1, 1). */
export function randomMatrix(rows: number, cols: number, seed: number): Matrix {
  const next = seededUniform(seed);
  return matrix(Float32Array.from({ length: rows * cols }, () => 2 * next() - 1), rows, cols);
}

/** Unit 2-D vectors at the given angles (degrees): cosine distances are easy to work by hand. */
export function angles(...degrees: number[]): Matrix {
  const data = new Float32Array(degrees.length * 2);
  degrees.forEach((deg, i) => {
    data[2 * i] = Math.cos((deg * Math.PI) / 180);
    data[2 * i + 1] = Math.sin((deg * Math.PI) / 180);
  });
  return matrix(data, degrees.length, 2);
}

/** All k-subsets of 0..n−1. */
export function subsets(n: number, k: number): number[][] {
  if (k === 0) return [[]];
  if (n < k) return [];
  return [...subsets(n - 1, k - 1).map((s) => [...s, n - 1]), ...subsets(n - 1, k)];
}
