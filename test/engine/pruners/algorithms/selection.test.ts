import { describe, expect, it } from 'vitest';
import { divPruneCount, divPruneSelect } from '../../../../src/engine/pruners/algorithms/divprune';
import { fastvK, fastvKeepCount, fastvSelect } from '../../../../src/engine/pruners/algorithms/fastv';
import { cosine, cosineMatrix, row, type Matrix } from '../../../../src/engine/pruners/algorithms/matrix';
import { attentionShares, attentionSharesOfRows, kCenterSelect, maxSumSelect, todreDropsAllVisual, todrePivot, todreRelevanceLayer } from '../../../../src/engine/pruners/algorithms/todre';
import { fromRows, subMatrix } from '../../../../src/engine/pruners/algorithms/matrix';
import { angles, randomMatrix, subsets } from './helpers';

const dist = (m: Matrix, i: number, j: number): number => 1 - cosine(row(m, i), row(m, j));

describe('DivPrune', () => {
  it('first picks the token whose nearest neighbour is farthest, then max-min (hand-worked)', () => {
    // Angles 0, 10, 20, 100, 190: 100° is 80° from its nearest (20°), 190° is 90° from 100°.
    const x = angles(0, 10, 20, 100, 190);
    const sel = divPruneSelect(x, 3);
    expect(sel[0]).toBe(4); // 190°: nearest is 100° at 90°
    expect(sel[1]).toBe(1); // 10° is 180° from 190° — farthest; then
    expect(sel[2]).toBe(3); // 100° is 90° from 10° and from 190°
  });

  it('matches a brute-force greedy max-min on random sets and is a 2-approximation of the optimum', () => {
    for (let seed = 1; seed <= 6; seed++) {
      const x = randomMatrix(9, 4, seed);
      const k = 4;
      const sel = divPruneSelect(x, k);
      // Brute-force greedy: recompute every distance from scratch at every step.
      const nn = (j: number): number => Math.min(...Array.from({ length: 9 }, (_, i) => (i === j ? Infinity : dist(x, i, j))));
      const first = Array.from({ length: 9 }, (_, j) => j).reduce((b, j) => (nn(j) > nn(b) ? j : b), 0);
      const greedy = [first];
      while (greedy.length < k) {
        const cands = Array.from({ length: 9 }, (_, j) => j).filter((j) => !greedy.includes(j));
        const score = (j: number): number => Math.min(...greedy.map((s) => dist(x, s, j)));
        greedy.push(cands.reduce((b, j) => (score(j) > score(b) + 1e-7 ? j : b), cands[0]!));
      }
      expect(sel).toEqual(greedy);
      const spread = (s: number[]): number => Math.min(...s.flatMap((a, i) => s.slice(i + 1).map((b) => dist(x, a, b))));
      const optimum = Math.max(...subsets(9, k).map(spread));
      expect(spread(sel)).toBeGreaterThanOrEqual(optimum / 2 - 1e-6);
    }
  });

  it('reads a given cosine matrix instead of computing one (the projector probe)', () => {
    const x = randomMatrix(15, 6, 21);
    expect(divPruneSelect(x, 5, cosineMatrix(x))).toEqual(divPruneSelect(x, 5));
    // A planted matrix decides: every token equally far from every other but 7 and 2, which are identical.
    const planted = { data: Float32Array.from({ length: 225 }, (_, i) => (i % 16 === 0 ? 1 : (i === 7 * 15 + 2 || i === 2 * 15 + 7 ? 1 : 0))), rows: 15, cols: 15 };
    const sel = divPruneSelect(x, 14, planted);
    expect(sel).toHaveLength(14);
    expect(sel.includes(2) && sel.includes(7)).toBe(false); // max-min leaves one of the duplicates out
    expect(() => divPruneSelect(x, 5, cosineMatrix(randomMatrix(4, 6, 1)))).toThrow(/4×4 cosine matrix for 15 tokens/);
  });

  it('keeps round(ratio·N): 56 of 576 at the paper ratio 0.098', () => {
    expect(divPruneCount(576, 0.098)).toBe(56);
    expect(divPruneSelect(randomMatrix(20, 3, 3), 20).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });
});

describe('ToDRE', () => {
  it('stage 1 max-sum adds the token with the smallest cumulative cosine to the selection', () => {
    // Pivot 0°. cos to it: 90° → 0, 150° → −0.866, 45° → 0.707, 200° → −0.940: pick 200°.
    // Cumulative with 200°: 90° → 0 − 0.342 = −0.342, 150° → −0.866 + 0.643 = −0.223,
    // 45° → 0.707 − 0.906 = −0.199: pick 90°.
    const x = angles(0, 90, 150, 45, 200);
    const pivot = todrePivot([5, 1, 1, 1, 1]);
    expect(pivot).toBe(0);
    expect(maxSumSelect(x, 3, pivot)).toEqual([0, 4, 1]);
  });

  it('stage 1 max-sum equals a brute-force re-summation at every step', () => {
    const x = randomMatrix(12, 5, 11);
    const sel = maxSumSelect(x, 6, 3);
    const chosen = [3];
    while (chosen.length < 6) {
      const cands = Array.from({ length: 12 }, (_, j) => j).filter((j) => !chosen.includes(j));
      const total = (j: number): number => chosen.reduce((s, c) => s + cosine(row(x, j), row(x, c)), 0);
      chosen.push(cands.reduce((b, j) => (total(j) < total(b) - 1e-7 ? j : b), cands[0]!));
    }
    expect(sel).toEqual(chosen);
  });

  it('stage 1 reads a given cosine matrix the same way it computes one (the projector probe)', () => {
    const x = randomMatrix(12, 5, 13);
    expect(maxSumSelect(x, 6, 3, cosineMatrix(x))).toEqual(maxSumSelect(x, 6, 3));
    expect(kCenterSelect(x, 6, 3, cosineMatrix(x))).toEqual(kCenterSelect(x, 6, 3));
    expect(() => maxSumSelect(x, 6, 3, cosineMatrix(randomMatrix(3, 5, 1)))).toThrow(/3×3 cosine matrix for 12 tokens/);
  });

  it('v1 k-center picks the farthest point from the selected set', () => {
    const x = angles(0, 30, 60, 170, 200);
    // From 0°: farthest is 170° (cos −0.985) vs 200° (−0.940); then 60°/30°: 60° is 60° from 0°, 110° from 170°.
    expect(kCenterSelect(x, 3, 0)).toEqual([0, 3, 2]);
  });

  it('stage 2 removes visual tokens only when both attention shares are below τ', () => {
    expect(todreRelevanceLayer(32)).toBe(28);
    // Sequence [S S V V V T T]; text rows put 0.05 of their mass on visual keys.
    const textRows = fromRows([
      [0.5, 0.4, 0.02, 0.02, 0.01, 0.05, 0],
      [0.6, 0.3, 0.01, 0.02, 0.02, 0.02, 0.03],
    ]);
    const visualRows = fromRows([[0.7, 0.3, 0, 0, 0, 0, 0]]); // causal: no text keys visible
    const shares = attentionShares(textRows, visualRows, { visualStart: 2, visualCount: 3 });
    expect(shares.textToVisual).toBeCloseTo(0.1 / 2, 6);
    expect(shares.visualToText).toBe(0);
    expect(todreDropsAllVisual(shares)).toBe(true);
    expect(todreDropsAllVisual({ textToVisual: 0.2, visualToText: 0 })).toBe(false);
  });

  it('stage 2 reads the probe rows in place with the same sums as on copied text and visual rows', () => {
    // Rows 0..9 of a 14-token sequence [S S V×6 T×6] in probe order, some prefix rows among them.
    const length = 14;
    const span = { visualStart: 2, visualCount: 6 };
    const rows = [1, 2, 4, 7, 8, 9, 10, 11, 12, 13];
    const values = fromRows(Array.from({ length: rows.length }, (_, i) => Array.from(row(randomMatrix(rows.length, length, 17), i), Math.abs)));
    const pick = (keep: (r: number) => boolean): Matrix => subMatrix(values, rows.flatMap((r, i) => (keep(r) ? [i] : [])), 0, length);
    const want = attentionShares(pick((r) => r >= 8), pick((r) => r >= 2 && r < 8), span);
    expect(attentionSharesOfRows({ rows, values }, span)).toEqual(want);
    expect(want.textToVisual).not.toBe(0);
    expect(attentionSharesOfRows({ rows: [0, 1], values: randomMatrix(2, length, 3) }, span)).toEqual({ textToVisual: 0, visualToText: 0 });
  });
});

describe('FastV', () => {
  it('keeps round(retention·|V|) highest-attention tokens, ascending; K = 2/32 of depth', () => {
    expect(fastvKeepCount(576, 0.5)).toBe(288);
    expect(fastvKeepCount(576, 0.25)).toBe(144);
    expect(fastvKeepCount(10, 0.25)).toBe(3); // round(2.5) = 3
    expect(fastvSelect([0.1, 0.4, 0.3, 0.05, 0.15], 0.4)).toEqual([1, 2]);
    expect(fastvK(32)).toBe(2);
    expect(fastvK(12)).toBe(1);
  });
});
