import { describe, expect, it } from 'vitest';
import { matrix, type Matrix } from '../../../../src/engine/pruners/algorithms/matrix';
import { calibratedDualAttentionFilter, dualAttentionFilter, mustDropStageTargets } from '../../../../src/engine/pruners/algorithms/mustdrop-filter';
import { gridWindows, keySetSize, mustDropKeySet, mustDropSpatialMerge, windowScore } from '../../../../src/engine/pruners/algorithms/mustdrop-merge';
import { cosineMatrix, fromRows, gatherRows } from '../../../../src/engine/pruners/algorithms/matrix';
import { randomMatrix } from './helpers';

const E1 = [1, 0, 0];
const E2 = [0, 1, 0];
const E3 = [0, 0, 1];
const MIX23 = [0, Math.SQRT1_2, Math.SQRT1_2];
const windows9 = gridWindows(9, 9);

/** A 6×6 grid (four 3×3 windows) whose window w gets the vectors fill(w, k) for member k. */
function sixBySix(fill: (window: number, member: number, token: number) => number[]): Matrix {
  const data = new Float32Array(36 * 3);
  gridWindows(6, 6).forEach((w) => w.members.forEach((t, k) => data.set(fill(w.index, k, t), t * 3)));
  return matrix(data, 36, 3);
}

describe('MustDrop spatial merge', () => {
  // Window 0: nine equal vectors (score 1). Window 1: eight E2 and one (E2+E3)/√2, score
  // (56 + 16·0.7071)/72 = 0.935. Window 2: eight E3 and one E1, score 56/72 = 0.778 < 0.8.
  // Window 3: seeded random vectors.
  const random = randomMatrix(36, 3, 5);
  const frame = sixBySix((w, k, t) => (w === 0 ? E1 : w === 1 ? (k === 4 ? MIX23 : E2) : w === 2 ? (k === 0 ? E1 : E3) : Array.from(random.data.subarray(t * 3, t * 3 + 3))));

  it('scores windows by mean pairwise cosine over i≠j', () => {
    const w = gridWindows(6, 6);
    expect(windowScore(frame, w[0]!.members)).toBeCloseTo(1, 6);
    expect(windowScore(frame, w[1]!.members)).toBeCloseTo((56 + 16 * Math.SQRT1_2) / 72, 6);
    expect(windowScore(frame, w[2]!.members)).toBeCloseTo(56 / 72, 6);
  });

  it('scores a window exactly as the mean over its cosine matrix (the frame normalised once, not per window)', () => {
    const f = randomMatrix(81, 37, 11);
    for (const w of gridWindows(9, 9)) {
      const m = w.members.length;
      const sim = cosineMatrix(gatherRows(f, w.members)).data;
      let sum = 0;
      for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) if (i !== j) sum += sim[i * m + j]!;
      expect(windowScore(f, w.members)).toBe(sum / (m * (m - 1)));
    }
    const merged = mustDropSpatialMerge([f], { rows: 9, cols: 9 }, 0)[0]!;
    expect(merged.merged.map((x) => x.score)).toEqual(merged.merged.map((x) => windowScore(f, windows9[x.window]!.members)));
  });

  it('merges exactly the windows scoring ≥ 0.8, into the mean at the bottom-right, merged first', () => {
    const [result] = mustDropSpatialMerge([frame], { rows: 6, cols: 6 });
    const { merged, unmerged, features } = result!;
    expect(merged.map((m) => m.window)).toEqual([0, 1]); // rank order
    expect(merged[0]!.members).toEqual([0, 1, 2, 6, 7, 8, 12, 13, 14]);
    expect(merged[0]!.at).toBe(14);
    expect(merged[1]!.at).toBe(17);
    expect(unmerged).toEqual([18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35]);
    expect(features.rows).toBe(36 - 2 * 8);
    expect(Array.from(features.data.subarray(0, 3))).toEqual(E1);
    const mean1 = Array.from(features.data.subarray(3, 6));
    expect(mean1[1]).toBeCloseTo((8 + Math.SQRT1_2) / 9, 6);
    expect(mean1[2]).toBeCloseTo(Math.SQRT1_2 / 9, 6);
    expect(Array.from(features.data.subarray(6, 9))).toEqual(Array.from(frame.data.subarray(18 * 3, 19 * 3)));
  });

  it('merges the same number of windows in every frame (the minimum over frames)', () => {
    const fourMergeable = sixBySix((w) => (w === 3 ? E2 : w === 0 ? E1 : w === 1 ? E3 : E1.map((v, i) => (i === 0 ? v : 0))));
    // Every window of fourMergeable is constant (score 1); `frame` has only two mergeable windows.
    const results = mustDropSpatialMerge([frame, fourMergeable], { rows: 6, cols: 6 });
    expect(results.map((r) => r.merged.length)).toEqual([2, 2]);
    expect(results[1]!.merged.map((m) => m.window)).toEqual([0, 1]); // ties by window index
  });

  it('on grids not divisible by 3 merges only full windows and never the remainder rows/columns', () => {
    const constant = matrix(new Float32Array(100 * 3).fill(1), 100, 3);
    expect(gridWindows(10, 10)).toHaveLength(9);
    const [r] = mustDropSpatialMerge([constant], { rows: 10, cols: 10 });
    expect(r!.merged).toHaveLength(9);
    const remainder = [...Array.from({ length: 9 }, (_, i) => i * 10 + 9), 90, 91, 92, 93, 94, 95, 96, 97, 98, 99];
    expect(r!.unmerged).toEqual(remainder);
    expect(r!.features.rows).toBe(9 + 19);
    expect(gridWindows(12, 12)).toHaveLength(16);
  });
});

describe('MustDrop key set', () => {
  it('keeps ceil(0.08·P) tokens by CLS attention: 47 of 576', () => {
    expect(keySetSize(576)).toBe(47);
    expect(keySetSize(100)).toBe(8);
    expect(keySetSize(100, 0.07)).toBe(7); // 0.07·100 is 7.000000000000001 in floats
    const attn = Float32Array.from({ length: 576 }, (_, i) => (i * 7919) % 576);
    const keys = mustDropKeySet(attn);
    expect(keys).toHaveLength(47);
    const threshold = Math.min(...keys.map((k) => attn[k]!));
    expect(Array.from(attn).filter((a) => a > threshold)).toHaveLength(46);
  });
});

describe('MustDrop dual-attention filter', () => {
  const m = fromRows([
    [0.3, 0.001, 0.0005, 0.1],
    [0.2, 0.0002, 0.002, 0.05],
  ]);

  it('drops a token only when both its global and individual attention are low; keys survive', () => {
    // g = [0.5, 0.0012, 0.0025, 0.15], Σg = 0.6537; p = [0.3, 0.001, 0.002, 0.1].
    expect(dualAttentionFilter(m, [], 0.01, 0.0015)).toEqual([0, 2, 3]); // token 2's peak 0.002 saves it
    expect(dualAttentionFilter(m, [1], 0.01, 0.0015)).toEqual([0, 1, 2, 3]);
    expect(dualAttentionFilter(m, [], 0.01, 0.0025)).toEqual([0, 3]);
  });

  it('calibrates to an exact count, and its reported thresholds reproduce the selection', () => {
    const attn = randomMatrix(5, 40, 9);
    const positive = matrix(attn.data.map((v) => (v + 1) / 80), 5, 40);
    const keys = [3, 17];
    for (const target of [30, 20, 5]) {
      const r = calibratedDualAttentionFilter(positive, keys, target);
      expect(r.keep).toHaveLength(target);
      expect(r.keep).toEqual(expect.arrayContaining(keys));
      expect(dualAttentionFilter(positive, keys, r.globalThr, r.individualThr)).toEqual(r.keep);
    }
    expect(calibratedDualAttentionFilter(positive, keys, 1).keep).toEqual(keys); // the key set is a floor
  });

  it('schedules stage targets to a layer average, reporting it when the key set makes it unreachable', () => {
    const { stages, achieved } = mustDropStageTargets(576, [2, 6, 10, 14], 32, 128, 47);
    expect(Math.abs(achieved - 128)).toBeLessThan(1);
    stages.forEach((s, i) => {
      expect(s.keep).toBeGreaterThanOrEqual(47);
      if (i > 0) expect(s.keep).toBeLessThanOrEqual(stages[i - 1]!.keep);
    });
    const floor = mustDropStageTargets(576, [2, 6, 10, 14], 32, 30, 47);
    expect(floor.achieved).toBeCloseTo((3 * 576 + 29 * 47) / 32, 9);
  });
});
