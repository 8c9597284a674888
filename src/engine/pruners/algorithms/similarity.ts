/**
 * Dot-product kernels for the pairwise methods (DivPrune, ToDRE, PruMerge+, VisionZip, MustDrop):
 * rows of one row-major Float32Array addressed by offset (no views, no allocation per pair), four
 * rows per pass so each load of the shared row serves four products.
 *
 * Every kernel computes one dot product the same way — the even-indexed products summed in order,
 * the odd-indexed ones likewise, then even + odd, in float64 — so a value does not depend on
 * which kernel, block or argument order produced it: gram(u)[i·n + j] === gram(u)[j·n + i] ===
 * similarityToRow(u, j)[i]. Two independent sums instead of one shorten the dependency chain
 * (about 2× faster than a single running sum) and differ from it only in the last bits of a
 * double, below the float32 precision of the inputs.
 *
 * The row arithmetic helpers (addScaledRow, addDividedRow) exist for speed of a different kind:
 * per-run hooks run once per answer, often too rarely for V8 to optimise them, and a per-element
 * loop left in such a function runs in the interpreter (~1 ms per 20k elements). Shared small
 * kernels get hot across all methods and calls, and run optimised.
 */
import type { Matrix } from './matrix';
import { simdKernels, type SimdKernels } from './simd';

/** Dot product of x[a..a+d) and y[b..b+d) (offsets in elements); `y` defaults to `x`. */
export function rowDot(x: Float32Array, a: number, b: number, d: number, y: Float32Array = x): number {
  let even = 0;
  let odd = 0;
  let c = 0;
  for (; c + 1 < d; c += 2) {
    even += x[a + c]! * y[b + c]!;
    odd += x[a + c + 1]! * y[b + c + 1]!;
  }
  if (c < d) even += x[a + c]! * y[b + c]!;
  return even + odd;
}

/** out[at..at+d) += a · src[from..from+d), element by element (float32 rounding at each step). */
export function addScaledRow(out: Float32Array, at: number, a: number, src: Float32Array, from: number, d: number): void {
  for (let c = 0; c < d; c++) out[at + c]! += a * src[from + c]!;
}

/** out[v] += x[v] for every v, in float64. */
export function addInto(out: Float64Array, x: Float64Array): void {
  for (let v = 0; v < out.length; v++) out[v]! += x[v]!;
}

/** out[v] += src[at + v] for every v of `out`, in float64 (a float32 matrix row added where it is). */
export function addRowInto(out: Float64Array, src: Float32Array, at: number): void {
  for (let v = 0; v < out.length; v++) out[v]! += src[at + v]!;
}

/** out[v] = max(out[v], src[at + v]) for every v of `out` (Math.max: NaN propagates). */
export function maxRowInto(out: Float64Array, src: Float32Array, at: number): void {
  for (let v = 0; v < out.length; v++) out[v] = Math.max(out[v]!, src[at + v]!);
}

/** acc + x[from] + x[from + 1] + … + x[to − 1], added in that order in float64. */
export function addRange(acc: number, x: Float32Array, from: number, to: number): number {
  for (let i = from; i < to; i++) acc += x[i]!;
  return acc;
}

/** out[v] = max(out[v], x[v]) for every v (Math.max: NaN propagates). */
export function maxInto(out: Float64Array, x: Float64Array): void {
  for (let v = 0; v < out.length; v++) out[v] = Math.max(out[v]!, x[v]!);
}

/** out[at..at+d) += src[from..from+d) / by, element by element (a division, as a mean's terms; float32 rounding at each step). */
export function addDividedRow(out: Float32Array, at: number, src: Float32Array, from: number, d: number, by: number): void {
  for (let c = 0; c < d; c++) out[at + c]! += src[from + c]! / by;
}

/** addDividedRow into a float64 accumulator (kept apart so each kernel sees one array type and stays fast). */
export function addDividedRow64(out: Float64Array, at: number, src: Float32Array, from: number, d: number, by: number): void {
  for (let c = 0; c < d; c++) out[at + c]! += src[from + c]! / by;
}

/**
 * Dots of row `x` of `xs` with rows `r`, `r + d`, `r + 2d`, `r + 3d` of `data` (offsets in
 * elements) into out[at..at+3]: the same arithmetic as rowDot, four at once.
 */
function dot4(data: Float32Array, x: number, r: number, d: number, out: Float32Array | Float64Array, at: number, xs: Float32Array = data): void {
  const r1 = r + d;
  const r2 = r1 + d;
  const r3 = r2 + d;
  let e0 = 0, o0 = 0, e1 = 0, o1 = 0, e2 = 0, o2 = 0, e3 = 0, o3 = 0;
  let c = 0;
  for (; c + 1 < d; c += 2) {
    const xe = xs[x + c]!;
    const xo = xs[x + c + 1]!;
    e0 += xe * data[r + c]!;
    o0 += xo * data[r + c + 1]!;
    e1 += xe * data[r1 + c]!;
    o1 += xo * data[r1 + c + 1]!;
    e2 += xe * data[r2 + c]!;
    o2 += xo * data[r2 + c + 1]!;
    e3 += xe * data[r3 + c]!;
    o3 += xo * data[r3 + c + 1]!;
  }
  if (c < d) {
    const xe = xs[x + c]!;
    e0 += xe * data[r + c]!;
    e1 += xe * data[r1 + c]!;
    e2 += xe * data[r2 + c]!;
    e3 += xe * data[r3 + c]!;
  }
  out[at] = e0 + o0;
  out[at + 1] = e1 + o1;
  out[at + 2] = e2 + o2;
  out[at + 3] = e3 + o3;
}

/** out[v] = ⟨row v, row c⟩ for every row v of `m` (k·N·d work for k calls, instead of an N×N matrix). */
export function similarityToRow(m: Matrix, c: number, out: Float32Array | Float64Array): void {
  dotsWithRows(m.data, c * m.cols, m, out);
}

/** out[v] = ⟨xs[x..x+d), row v of `m`⟩ for every row v of `m` (d = m.cols); `xs` may be another matrix's data. */
export function dotsWithRows(xs: Float32Array, x: number, m: Matrix, out: Float32Array | Float64Array): void {
  const { data, rows: n, cols: d } = m;
  let v = 0;
  for (; v + 3 < n; v += 4) dot4(data, x, v * d, d, out, v, xs);
  for (; v < n; v++) out[v] = rowDot(data, v * d, x, d, xs);
}

/**
 * The [rows × rows] Gram matrix of `m` (row dot products), computed on the upper triangle and
 * mirrored: by the WebAssembly SIMD kernel (simd.ts, the same values) when available, else in JS.
 */
export function gram(m: Matrix): Matrix {
  const k = simdKernels();
  if (!k) return gramScalar(m);
  const { rows: n, cols: d } = m;
  const input = n * d * 4;
  const output = n * n * 4;
  k.reserve(input + output + 32);
  residentOwner = null; // the matrix area is overwritten below
  new Float32Array(k.memory.buffer, 0, n * d).set(m.data);
  k.gram(0, n, d, input, input + output);
  return { data: new Float32Array(k.memory.buffer, input, n * n).slice(), rows: n, cols: n };
}

/**
 * Rows of `m` scaled to unit norm, by the SIMD kernel (matrix.ts normalizeRows's arithmetic, the
 * same values); null without WebAssembly SIMD. `gramToo` also returns their Gram matrix (cosines)
 * computed in place, without copying the rows back in.
 */
export function normalizeRowsSimd(m: Matrix, gramToo = false): { unit: Matrix; gram?: Matrix } | null {
  const k = simdKernels();
  if (!k) return null;
  const { rows: n, cols: d } = m;
  const input = n * d * 4;
  const output = gramToo ? n * n * 4 : 0;
  k.reserve(input + output + 32);
  residentOwner = null;
  new Float32Array(k.memory.buffer, 0, n * d).set(m.data);
  k.normalizeRows(0, n, d);
  const unit = { data: new Float32Array(k.memory.buffer, 0, n * d).slice(), rows: n, cols: d };
  if (!gramToo) return { unit };
  k.gram(0, n, d, input, input + output);
  return { unit, gram: { data: new Float32Array(k.memory.buffer, input, n * n).slice(), rows: n, cols: n } };
}

/** `gram` in JS: the reference for the SIMD kernel, and the fallback without it. */
export function gramScalar(m: Matrix): Matrix {
  const { data, rows: n, cols: d } = m;
  const out = new Float32Array(n * n);
  const block = new Float64Array(4);
  for (let i = 0; i < n; i++) {
    const x = i * d;
    let j = i;
    for (; j + 3 < n; j += 4) {
      dot4(data, x, j * d, d, block, 0);
      for (let q = 0; q < 4; q++) {
        out[i * n + j + q] = block[q]!;
        out[(j + q) * n + i] = block[q]!;
      }
    }
    for (; j < n; j++) {
      const s = rowDot(data, x, j * d, d);
      out[i * n + j] = s;
      out[j * n + i] = s;
    }
  }
  return { data: out, rows: n, cols: n };
}

/** Which `rowDots` snapshot the kernels' memory holds at offset 0 (null: none, another kernel ran). */
let residentOwner: object | null = null;

/**
 * `dotsWithRows` against a snapshot of `m`, for callers that ask for many rows of dots against
 * the same matrix (greedy selections, per-token merges): the matrix is copied into the SIMD
 * kernels' memory once, not at every call. Same values as dotsWithRows; `m` must not change while
 * the returned function is in use (it reads the snapshot).
 */
export function rowDots(m: Matrix): (xs: Float32Array, x: number, out: Float32Array | Float64Array) => void {
  const k = simdKernels();
  if (!k) return (xs, x, out) => dotsWithRows(xs, x, m, out);
  const { rows: n, cols: d } = m;
  const owner = {};
  const rowAt = n * d * 4;
  const outAt = Math.ceil((rowAt + d * 4) / 8) * 8; // f64 results 8-byte aligned
  return (xs, x, out) => {
    const kk: SimdKernels = k;
    if (residentOwner !== owner) {
      kk.reserve(outAt + n * 8);
      new Float32Array(kk.memory.buffer, 0, n * d).set(m.data);
      residentOwner = owner;
    }
    new Float32Array(kk.memory.buffer, rowAt, d).set(xs.subarray(x, x + d));
    kk.dots(rowAt, 0, n, d, outAt);
    out.set(new Float64Array(kk.memory.buffer, outAt, n));
  };
}

/**
 * For each group g: rows `at[g]` of `out` (width d) become the plain mean of rows `groups[g]` of
 * `src`, accumulated member by member as addDividedRow does (zeroed first, float32 rounding after
 * each add) — by the SIMD kernel when available, with the same values.
 */
export function meanRowsInto(out: Float32Array, at: readonly number[], src: Float32Array, d: number, groups: readonly (readonly number[])[]): void {
  const k = simdKernels();
  if (!k) {
    groups.forEach((members, g) => {
      out.fill(0, at[g]! * d, (at[g]! + 1) * d);
      for (const m of members) addDividedRow(out, at[g]! * d, src, m * d, d, members.length);
    });
    return;
  }
  const means = startPlusMeanRowsSimd(k, src, d, null, groups);
  for (let g = 0; g < groups.length; g++) out.set(means.subarray(g * d, (g + 1) * d), at[g]! * d);
}

/**
 * A new [groups.length × d] array whose row g is row `starts[g]` of `src` (copied as it is; zeros
 * for −1) plus the mean of rows `groups[g]` of `src`, added member by member as addDividedRow does
 * (each row divided by the member count, float32 rounding after each add); an empty group leaves
 * the start row unchanged. By the SIMD kernel when available, with the same values.
 */
export function startPlusMeanRows(src: Float32Array, d: number, starts: readonly number[], groups: readonly (readonly number[])[]): Float32Array {
  const k = simdKernels();
  if (k) return startPlusMeanRowsSimd(k, src, d, starts, groups).slice();
  const out = new Float32Array(groups.length * d);
  for (let g = 0; g < groups.length; g++) {
    if (starts[g]! >= 0) out.set(src.subarray(starts[g]! * d, (starts[g]! + 1) * d), g * d);
    const members = groups[g]!;
    for (let i = 0; i < members.length; i++) addDividedRow(out, g * d, src, members[i]! * d, d, members.length);
  }
  return out;
}

/** The meanRows kernel on `src` (starts null: every row starts at 0); returns a view of its output in the kernels' memory. */
function startPlusMeanRowsSimd(k: SimdKernels, src: Float32Array, d: number, starts: readonly number[] | null, groups: readonly (readonly number[])[]): Float32Array {
  let total = 0;
  for (let g = 0; g < groups.length; g++) total += groups[g]!.length;
  const n = groups.length;
  const startsAt = src.length * 4;
  const idxAt = startsAt + n * 4;
  const countsAt = idxAt + total * 4;
  const outAt = countsAt + n * 4;
  k.reserve(outAt + n * d * 4);
  residentOwner = null;
  const buffer = k.memory.buffer;
  new Float32Array(buffer, 0, src.length).set(src);
  const startRows = new Int32Array(buffer, startsAt, n);
  if (starts) startRows.set(starts);
  else startRows.fill(-1);
  const idx = new Int32Array(buffer, idxAt, total);
  const counts = new Int32Array(buffer, countsAt, n);
  let p = 0;
  for (let g = 0; g < n; g++) {
    const members = groups[g]!;
    counts[g] = members.length;
    for (let i = 0; i < members.length; i++) idx[p++] = members[i]!;
  }
  k.meanRows(0, d, startsAt, idxAt, countsAt, n, outAt);
  return new Float32Array(buffer, outAt, n * d);
}

/**
 * For each of `rows`, the index into `targets` of the row of `m` most cosine-similar to it: the
 * rows scaled to unit norm as matrix.ts normalizeRows does, dot products as rowDot computes them,
 * the first target on ties (a `sim > best` scan from −∞; 0 when every similarity is NaN). By the
 * SIMD kernels, in their memory (the unit rows are never copied out); null without WebAssembly SIMD.
 */
export function nearestByCosineSimd(m: Matrix, rows: readonly number[], targets: readonly number[]): Int32Array | null {
  const k = simdKernels();
  if (!k) return null;
  const { rows: n, cols: d } = m;
  const rowsAt = n * d * 4;
  const targetsAt = rowsAt + rows.length * 4;
  const outAt = targetsAt + targets.length * 4;
  k.reserve(outAt + rows.length * 4);
  residentOwner = null;
  const buffer = k.memory.buffer;
  new Float32Array(buffer, 0, n * d).set(m.data);
  new Int32Array(buffer, rowsAt, rows.length).set(rows);
  new Int32Array(buffer, targetsAt, targets.length).set(targets);
  k.normalizeRows(0, n, d);
  k.nearest(0, d, rowsAt, rows.length, targetsAt, targets.length, outAt);
  return new Int32Array(buffer, outAt, rows.length).slice();
}

/**
 * For each group g: row `at[g]` of `out` (width d, holding its start value) += Σ coef[g][t] ·
 * row groups[g][t] of `src`, member by member with float32 rounding after each add, as
 * addScaledRow does — by the SIMD kernel when available, with the same values.
 */
export function addScaledRowsInto(out: Float32Array, at: readonly number[], src: Float32Array, d: number, groups: readonly (readonly number[])[], coef: readonly (readonly number[])[]): void {
  const k = simdKernels();
  if (!k) {
    groups.forEach((members, g) => members.forEach((m, t) => addScaledRow(out, at[g]! * d, coef[g]![t]!, src, m * d, d)));
    return;
  }
  let total = 0;
  for (const g of groups) total += g.length;
  const coefAt = Math.ceil((src.length * 4) / 8) * 8;
  const idxAt = coefAt + total * 8;
  const countsAt = idxAt + total * 4;
  const outAt = countsAt + groups.length * 4;
  k.reserve(outAt + groups.length * d * 4);
  residentOwner = null;
  const buffer = k.memory.buffer;
  new Float32Array(buffer, 0, src.length).set(src);
  const coefs = new Float64Array(buffer, coefAt, total);
  const idx = new Int32Array(buffer, idxAt, total);
  const counts = new Int32Array(buffer, countsAt, groups.length);
  const rows = new Float32Array(buffer, outAt, groups.length * d);
  let p = 0;
  for (let g = 0; g < groups.length; g++) {
    const members = groups[g]!;
    counts[g] = members.length;
    rows.set(out.subarray(at[g]! * d, (at[g]! + 1) * d), g * d);
    for (let t = 0; t < members.length; t++, p++) {
      idx[p] = members[t]!;
      coefs[p] = coef[g]![t]!;
    }
  }
  k.axpyRows(0, d, idxAt, coefAt, countsAt, groups.length, outAt);
  for (let g = 0; g < groups.length; g++) out.set(rows.subarray(g * d, (g + 1) * d), at[g]! * d);
}
