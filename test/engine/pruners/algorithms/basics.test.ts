import { describe, expect, it } from 'vitest';
import { cutAfter, layerAt, layerAveragedCount, scheduleAtDepth, solveIncreasing } from '../../../../src/engine/pruners/algorithms/depth';
import { cosine, cosineMatrix, fromRows, normalizeRows, softmax } from '../../../../src/engine/pruners/algorithms/matrix';
import { randomSubset } from '../../../../src/engine/pruners/algorithms/random';
import { complement, rankDescending, topK, topKRankExcluding } from '../../../../src/engine/pruners/algorithms/topk';

describe('topK', () => {
  /** Scores that stress the tie rule: ties, signed zeros, NaN and infinities. */
  const pool = [0, -0, NaN, 1, -1, 0.5, Infinity, -Infinity, 0.5, 1];
  /** A seeded linear congruential generator of [0, 1) numbers (the sequences these tests were written with). */
  const lcg = (seed: number): (() => number) => {
    let state = seed;
    return () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
  };

  it('agrees with a full ranking on ties, signed zeros, NaN and infinities', () => {
    const next = lcg(7);
    for (let trial = 0; trial < 200; trial++) {
      const n = 1 + Math.floor(next() * 12);
      const s = Float32Array.from({ length: n }, () => pool[Math.floor(next() * pool.length)]!);
      const k = Math.floor(next() * (n + 1));
      const ranked = rankDescending(s).slice(0, k);
      expect(topK(s, k, 'rank')).toEqual(ranked);
      expect(topK(s, k)).toEqual([...ranked].sort((a, b) => a - b));
    }
  });

  it('topKRankExcluding is the full ranking without the excluded index, cut to k', () => {
    const next = lcg(11);
    for (let trial = 0; trial < 300; trial++) {
      const n = 1 + Math.floor(next() * 40);
      const s = Float64Array.from({ length: n }, () => (next() < 0.7 ? pool[Math.floor(next() * pool.length)]! : next()));
      const exclude = Math.floor(next() * (n + 2)) - 1; // sometimes outside 0..n−1: nothing to leave out
      const k = Math.floor(next() * (n + 3));
      expect(topKRankExcluding(s, k, exclude)).toEqual(rankDescending(s).filter((i) => i !== exclude).slice(0, Math.min(k, n - 1)));
    }
  });

  it('breaks ties by the lower index and can return rank or original order', () => {
    const s = [0.2, 0.9, 0.5, 0.9, 0.5, 0.1];
    expect(rankDescending(s)).toEqual([1, 3, 2, 4, 0, 5]);
    expect(topK(s, 3, 'rank')).toEqual([1, 3, 2]);
    expect(topK(s, 3)).toEqual([1, 2, 3]);
    expect(topK(s, 0)).toEqual([]);
    expect(topK(s, 99)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('ranks NaN last and computes complements', () => {
    expect(rankDescending([NaN, 1, -5])).toEqual([1, 2, 0]);
    expect(complement(6, [4, 1])).toEqual([0, 2, 3, 5]);
  });
});

describe('matrix helpers', () => {
  it('computes cosines, keeps zero rows at zero, and a stable softmax', () => {
    const m = fromRows([
      [3, 4],
      [0, 0],
      [-4, 3],
    ]);
    expect(Array.from(normalizeRows(m).data)).toEqual([0.6000000238418579, 0.800000011920929, 0, 0, -0.800000011920929, 0.6000000238418579]);
    const c = cosineMatrix(m).data;
    expect(c[0]).toBeCloseTo(1, 6);
    expect(c[1]).toBe(0);
    expect(c[2]).toBeCloseTo(0, 6);
    expect(cosine([1, 1], [2, 2])).toBeCloseTo(1, 12);
    const p = softmax([1000, 1000, 1000 + Math.log(2)]);
    expect(Array.from(p).map((v) => +v.toFixed(6))).toEqual([0.25, 0.25, 0.5]);
  });
});

describe('depth', () => {
  it('maps paper layers to fractions of depth, rounded, within [1, L−1]', () => {
    expect(layerAt(2 / 32, 32)).toBe(2);
    expect(layerAt(2 / 32, 8)).toBe(1); // round(0.5) = 1
    expect(layerAt(0, 12)).toBe(1);
    expect(layerAt(1, 12)).toBe(11);
    expect(layerAt(7 / 32, 16)).toBe(4); // round(3.5)
    expect(() => layerAt(0.5, 1)).toThrow(/depth/);
    // A cut after 0-based layer ℓ scales its ℓ+1 full layers: identity at 32, never the last layer.
    expect(cutAfter(7, 32, 32)).toBe(7);
    expect(cutAfter(1, 32, 8)).toBe(0); // FastV K=2: 0.5 → 1 full layer
    expect(cutAfter(28, 32, 8)).toBe(6); // ToDRE 7L/8: 29/32·8 = 7.25 → 7 full layers
    expect(cutAfter(31, 32, 8)).toBe(6);
  });

  it('collapses schedule stages that meet on a shallow model, keeping the last count', () => {
    expect(scheduleAtDepth([7, 15, 23], [288, 144, 72], 32, 32)).toEqual([
      { layer: 7, keep: 288 },
      { layer: 15, keep: 144 },
      { layer: 23, keep: 72 },
    ]);
    // Cuts after 7, 9, 12 of 32 full layers → round(2.625) = 3, round(3.375) = 3, round(4.5) = 5 of 12:
    // the first two meet after layer 2 and keep the later count.
    expect(scheduleAtDepth([6, 8, 11], [504, 360, 72], 32, 12)).toEqual([
      { layer: 2, keep: 360 },
      { layer: 4, keep: 72 },
    ]);
    // On 4 layers: 7/32·4 and 9/32·4 round to 1 full layer (after layer 0), 12/32·4 = 1.5 to 2.
    expect(scheduleAtDepth([6, 8, 11], [504, 360, 72], 32, 4)).toEqual([
      { layer: 0, keep: 360 },
      { layer: 1, keep: 72 },
    ]);
    // PDrop on the 8-layer reference decoder: after 2, 4, 6 of 8 full layers.
    expect(scheduleAtDepth([7, 15, 23], [50, 25, 12], 32, 8).map((s) => s.layer)).toEqual([1, 3, 5]);
  });

  it('averages entering counts over layers and inverts monotone maps', () => {
    expect(layerAveragedCount(576, [{ layer: 1, keep: 288 }], 32)).toBe(306);
    const x = solveIncreasing((v) => v * v, 2, 0, 4);
    expect(x).toBeCloseTo(Math.SQRT2, 12);
    expect(solveIncreasing((v) => v, 9, 0, 4)).toBe(4);
  });
});

describe('randomSubset', () => {
  it('is deterministic under a seed, distinct, ascending, of the requested size', () => {
    const a = randomSubset(100, 25, 7);
    expect(a).toEqual(randomSubset(100, 25, 7));
    expect(new Set(a).size).toBe(25);
    expect([...a].sort((x, y) => x - y)).toEqual(a);
    expect(randomSubset(100, 25, 8)).not.toEqual(a);
    expect(randomSubset(5, 5, 1)).toEqual([0, 1, 2, 3, 4]);
  });
});
