/**
 * The WebAssembly SIMD kernels (simd.ts) against the JS kernels they replace: bit-identical values
 * on every shape the blocking has to get right (n not a multiple of 4, odd widths, one row), and
 * `rowDots` snapshots that survive other kernels using the same memory in between. Float32 results
 * are compared by their bits (`bits`), so a −0 or a NaN payload that changed would fail.
 */
import { describe, expect, it } from 'vitest';
import { cosineMatrix, matrix, normalizeRows, normalizeRowsScalar, type Matrix } from '../../../../src/engine/pruners/algorithms/matrix';
import { addDividedRow, addScaledRow, addScaledRowsInto, dotsWithRows, gram, gramScalar, meanRowsInto, nearestByCosineSimd, rowDots, startPlusMeanRows } from '../../../../src/engine/pruners/algorithms/similarity';
import { nearestTarget } from '../../../../src/engine/pruners/algorithms/visionzip';
import { simdKernels } from '../../../../src/engine/pruners/algorithms/simd';
import { seededRandom } from '../../../helpers/tiny-model';

function randomMatrix(n: number, d: number, seed: number): Matrix {
  const rand = seededRandom(seed);
  return matrix(Float32Array.from({ length: n * d }, () => (rand() * 2 - 1) * (1 + 10 * rand())), n, d);
}

/** The float32 values' bit patterns. */
const bits = (a: Float32Array): number[] => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

const shapes: Array<[number, number]> = [[1, 1], [2, 3], [4, 4], [5, 7], [9, 32], [37, 31], [100, 192], [101, 129]];

describe('SIMD kernels', () => {
  it('compile here (Node has WebAssembly SIMD)', () => {
    expect(simdKernels()).not.toBeNull();
  });

  it.each(shapes)('gram of %i×%i equals the JS kernel bit for bit', (n, d) => {
    const m = randomMatrix(n, d, n * 31 + d);
    expect(Array.from(gram(m).data)).toEqual(Array.from(gramScalar(m).data));
  });

  it.each(shapes)('rowDots on %i×%i equals dotsWithRows bit for bit, also after other kernels ran', (n, d) => {
    const m = randomMatrix(n, d, n + d);
    const other = randomMatrix(n + 3, d, 7);
    const dots = rowDots(m);
    const otherDots = rowDots(other);
    for (const c of new Set([0, n - 1, n >> 1])) {
      const got = new Float64Array(n);
      const want = new Float64Array(n);
      dots(m.data, c * d, got);
      dotsWithRows(m.data, c * d, m, want);
      expect(Array.from(got)).toEqual(Array.from(want));
      // Another snapshot and a gram overwrite the shared memory; the next call must copy m again.
      otherDots(other.data, 0, new Float64Array(n + 3));
      gram(other);
      const again = new Float32Array(n);
      dots(other.data, 0, again); // a row of another matrix against m's rows
      const expected = new Float32Array(n);
      dotsWithRows(other.data, 0, m, expected);
      expect(Array.from(again)).toEqual(Array.from(expected));
    }
  });

  it.each(shapes)('meanRowsInto on %i×%i rows equals zero + addDividedRow per member bit for bit', (n, d) => {
    const m = randomMatrix(n, d, 3 * n + d);
    const rand = seededRandom(n * d);
    const groups = Array.from({ length: 1 + (n >> 1) }, () => Array.from({ length: 1 + Math.floor(rand() * 5) }, () => Math.floor(rand() * n)));
    const at = groups.map((_, g) => g % n);
    const want = new Float32Array(n * d).fill(7);
    groups.forEach((members, g) => {
      want.fill(0, at[g]! * d, (at[g]! + 1) * d);
      for (const r of members) addDividedRow(want, at[g]! * d, m.data, r * d, d, members.length);
    });
    const got = new Float32Array(n * d).fill(7);
    meanRowsInto(got, at, m.data, d, groups);
    expect(Array.from(got)).toEqual(Array.from(want));
  });

  it.each(shapes)('normalizeRows and cosineMatrix on %i×%i equal the JS kernels bit for bit (zero rows stay zero)', (n, d) => {
    const m = randomMatrix(n, d, 5 * n + d);
    m.data.fill(0, 0, d); // a zero row
    expect(Array.from(normalizeRows(m).data)).toEqual(Array.from(normalizeRowsScalar(m).data));
    expect(Array.from(cosineMatrix(m).data)).toEqual(Array.from(gramScalar(normalizeRowsScalar(m)).data));
  });

  it.each(shapes)('addScaledRowsInto on %i×%i rows equals addScaledRow per member bit for bit', (n, d) => {
    const m = randomMatrix(n, d, 7 * n + d);
    const rand = seededRandom(n + 3 * d);
    const groups = Array.from({ length: 1 + (n >> 1) }, () => Array.from({ length: Math.floor(rand() * 6) }, () => Math.floor(rand() * n)));
    const coef = groups.map((g) => g.map(() => Math.fround(rand() - 0.3)));
    const at = groups.map((_, g) => (g * 7) % n);
    const start = randomMatrix(n, d, 99).data;
    const want = start.slice();
    groups.forEach((members, g) => members.forEach((r, t) => addScaledRow(want, at[g]! * d, coef[g]![t]!, m.data, r * d, d)));
    const got = start.slice();
    addScaledRowsInto(got, at, m.data, d, groups, coef);
    expect(Array.from(got)).toEqual(Array.from(want));
  });

  it.each(shapes)('startPlusMeanRows on %i×%i rows equals the start row (or zeros) + addDividedRow per member bit for bit', (n, d) => {
    const m = randomMatrix(n, d, 11 * n + d);
    m.data[0] = -0; // copied start rows keep their sign
    m.data[m.data.length - 1] = NaN;
    const rand = seededRandom(5 * n + d);
    const groups = Array.from({ length: 1 + (n >> 1) }, () => Array.from({ length: Math.floor(rand() * 6) }, () => Math.floor(rand() * n)));
    const starts = groups.map(() => (rand() < 0.25 ? -1 : Math.floor(rand() * n)));
    const want = new Float32Array(groups.length * d);
    groups.forEach((members, g) => {
      if (starts[g]! >= 0) want.set(m.data.subarray(starts[g]! * d, (starts[g]! + 1) * d), g * d);
      for (const r of members) addDividedRow(want, g * d, m.data, r * d, d, members.length);
    });
    expect(bits(startPlusMeanRows(m.data, d, starts, groups))).toEqual(bits(want));
  });

  it.each(shapes)('nearestByCosineSimd on %i×%i equals the JS assignment (first target on ties, NaN and zero rows)', (n, d) => {
    const m = randomMatrix(n, d, 13 * n + d);
    const rand = seededRandom(n * 7 + d);
    if (n > 4) {
      m.data.copyWithin(d, 0, d); // rows 0 and 1 equal: tied targets
      m.data.fill(0, 2 * d, 3 * d); // a zero row: cosine 0 with everything
      m.data[3 * d] = NaN; // a NaN row: no similarity beats −∞
    }
    const order = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    const targets = order.slice(0, Math.max(1, Math.min(n, 1 + Math.floor(rand() * 6))));
    if (n > 4 && !targets.includes(1)) targets.push(1, 0);
    const rows = order.slice(0, n);
    const got = nearestByCosineSimd(m, rows, targets);
    expect(got).not.toBeNull();
    expect(Array.from(got!)).toEqual(Array.from(nearestTarget(m, rows, targets)));
    expect(Array.from(nearestByCosineSimd(m, rows, [])!)).toEqual(rows.map(() => 0));
  });
});
