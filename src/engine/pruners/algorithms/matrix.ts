/**
 * Row-major float32 matrices for the pruning algorithms: [rows × cols] in one Float32Array, the
 * layout the runtime's probes hand over (tokens × channels). Plain loops, no allocation per row:
 * the sizes are hundreds to a few thousand tokens. Pairwise dot products (cosine matrices) go
 * through the blocked kernels in similarity.ts.
 */
import { addScaledRow, gram, normalizeRowsSimd } from './similarity';

/** A row-major [rows × cols] float32 matrix. */
export interface Matrix {
  readonly data: Float32Array;
  readonly rows: number;
  readonly cols: number;
}

/** Wraps `data` as a [rows × cols] matrix; throws when the length does not match. */
export function matrix(data: Float32Array, rows: number, cols: number): Matrix {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0 || data.length !== rows * cols) {
    throw new RangeError(`a ${rows}×${cols} matrix needs ${rows * cols} values, got ${data.length}`);
  }
  return { data, rows, cols };
}

/** Builds a matrix from nested arrays (tests and small fixtures). */
export function fromRows(rows: readonly (readonly number[])[]): Matrix {
  const cols = rows[0]?.length ?? 0;
  const data = new Float32Array(rows.length * cols);
  rows.forEach((r, i) => {
    if (r.length !== cols) throw new RangeError(`row ${i} has ${r.length} values, expected ${cols}`);
    data.set(r, i * cols);
  });
  return { data, rows: rows.length, cols };
}

/** A view (no copy) of row `i`. */
export function row(m: Matrix, i: number): Float32Array {
  return m.data.subarray(i * m.cols, (i + 1) * m.cols);
}

/** A new matrix holding rows `indices` of `m`, in that order. */
export function gatherRows(m: Matrix, indices: readonly number[]): Matrix {
  const out = new Float32Array(indices.length * m.cols);
  indices.forEach((src, dst) => out.set(row(m, src), dst * m.cols));
  return { data: out, rows: indices.length, cols: m.cols };
}

/** Dot product of two equally long vectors. */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** Euclidean norm. */
export function norm(a: ArrayLike<number>): number {
  return Math.sqrt(dot(a, a));
}

/**
 * A copy of `m` with every row scaled to unit L2 norm. A zero row stays zero (its cosine with
 * anything is then 0), rather than becoming NaN and poisoning every comparison.
 */
export function normalizeRows(m: Matrix): Matrix {
  return normalizeRowsSimd(m)?.unit ?? normalizeRowsScalar(m);
}

/** `normalizeRows` in JS: the reference for the SIMD kernel (similarity.ts), and the fallback without it. */
export function normalizeRowsScalar(m: Matrix): Matrix {
  const out = new Float32Array(m.data);
  const d = m.cols;
  for (let i = 0; i < m.rows; i++) {
    const from = i * d;
    let squares = 0; // the same running sum as norm(), without a view per row
    for (let j = from; j < from + d; j++) squares += out[j]! * out[j]!;
    const n = Math.sqrt(squares);
    if (n > 0) for (let j = from; j < from + d; j++) out[j]! /= n;
  }
  return { data: out, rows: m.rows, cols: d };
}

/** Cosine similarity of two vectors; 0 when either is zero. */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const na = norm(a);
  const nb = norm(b);
  return na > 0 && nb > 0 ? dot(a, b) / (na * nb) : 0;
}

/** [rows × rows] cosine similarities between the rows of `m` (diagonal 1 for non-zero rows). */
export function cosineMatrix(m: Matrix): Matrix {
  // With SIMD the rows are normalised and multiplied where they are, in the kernels' memory.
  return normalizeRowsSimd(m, true)?.gram ?? gram(normalizeRowsScalar(m));
}

/** Mean of the rows `indices` of `m` (a plain, unweighted mean). */
export function meanOfRows(m: Matrix, indices: readonly number[]): Float32Array {
  const out = new Float32Array(m.cols);
  for (const i of indices) addScaledRow(out, 0, 1, m.data, i * m.cols, m.cols);
  if (indices.length > 0) for (let j = 0; j < m.cols; j++) out[j]! /= indices.length;
  return out;
}

/** Numerically stable softmax of `x` (max subtracted first). */
export function softmax(x: ArrayLike<number>): Float64Array {
  return softmaxInto(x, new Float64Array(x.length));
}

/** `softmax` written into `out` (length ≥ x.length; loops that reuse one buffer allocate nothing). */
export function softmaxInto(x: ArrayLike<number>, out: Float64Array): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < x.length; i++) max = Math.max(max, x[i]!);
  let sum = 0;
  for (let i = 0; i < x.length; i++) {
    out[i] = Math.exp(x[i]! - max);
    sum += out[i]!;
  }
  for (let i = 0; i < x.length; i++) out[i]! /= sum;
  return out;
}

/** Rows `rows` of `m` restricted to columns [from, to), as a new [rows × (to − from)] matrix. */
export function subMatrix(m: Matrix, rows: readonly number[], from: number, to: number): Matrix {
  const out = new Float32Array(rows.length * (to - from));
  rows.forEach((r, i) => out.set(m.data.subarray(r * m.cols + from, r * m.cols + to), i * (to - from)));
  return { data: out, rows: rows.length, cols: to - from };
}
