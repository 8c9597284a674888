import { describe, expect, it } from 'vitest';
import { fromRows } from '../../../../src/engine/pruners/algorithms/matrix';
import { iqrOutlierRatio, percentile, pruMergeFeatures, pruMergePlusSelect } from '../../../../src/engine/pruners/algorithms/prumerge';
import { poolBins, poolGrid } from '../../../../src/engine/pruners/algorithms/pool';
import { visionZip, visionZipSplit } from '../../../../src/engine/pruners/algorithms/visionzip';
import { angles } from './helpers';

const column = (values: number[]) => fromRows(values.map((v) => [v]));

describe('VisionZip', () => {
  it('splits budgets like the paper: 54+10, 108+20, 162+30', () => {
    expect(visionZipSplit(64)).toEqual({ dominant: 54, contextual: 10 });
    expect(visionZipSplit(128)).toEqual({ dominant: 108, contextual: 20 });
    expect(visionZipSplit(192)).toEqual({ dominant: 162, contextual: 30 });
  });

  it('keeps the top D−1 patches (CLS takes a slot) and merges the rest into strided targets', () => {
    const attn = [0.1, 0.9, 0.2, 0.8, 0.05, 0.7, 0.3, 0.01, 0.02];
    // Keys by angle: targets are remaining[0] = 0 (0°) and remaining[3] = 6 (90°) with step 6/2 = 3.
    const keys = angles(0, 0, 10, 0, 80, 0, 90, 30, 60);
    const hidden = column([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    const r = visionZip(attn, keys, hidden, { dominant: 4, contextual: 2, includeCls: true });
    expect(r.dominant).toEqual([1, 3, 5]);
    expect(r.contextual).toEqual([
      { target: 0, assigned: [2, 7] },
      { target: 6, assigned: [4, 8] },
    ]);
    // Contextual token = target + mean of the assigned (not a mean that includes the target).
    expect(Array.from(r.features.data)).toEqual([1, 3, 5, 0 + (2 + 7) / 2, 6 + (4 + 8) / 2]);
    expect(visionZip(attn, keys, hidden, { dominant: 4, contextual: 0, includeCls: false }).dominant).toEqual([1, 3, 5, 6]);
  });
});

describe('PruMerge+', () => {
  it('uses numpy-style linear percentiles and the Q3 + 1.5·IQR rule', () => {
    expect(percentile([4, 1, 3, 2], 25)).toBeCloseTo(1.75, 12);
    expect(percentile([4, 1, 3, 2], 75)).toBeCloseTo(3.25, 12);
    // Q1 = 1.75, Q3 = 3.25, bound = 5.5: only 9 is an outlier.
    expect(iqrOutlierRatio([1, 2, 3, 4, 5, 9, 2, 3])).toBeCloseTo(1 / 8, 12);
  });

  it('keeps the IQR outliers by rank, then spatial samples every ⌊int(1/ratio)/3⌋', () => {
    const attn = new Array<number>(36).fill(0.01);
    attn[7] = 0.3;
    attn[20] = 0.2;
    // ratio = 2/36 → step = 18 → s = 6: samples 0, 6, …, 30 (< 35), none already chosen.
    expect(pruMergePlusSelect(attn)).toEqual({ byAttention: [7, 20], samples: [0, 6, 12, 18, 24, 30] });
    attn[6] = 0.25; // a third outlier: ratio 3/36 → step 12 → s = 4; sample 20 is already chosen
    expect(pruMergePlusSelect(attn)).toEqual({ byAttention: [7, 6, 20], samples: [0, 4, 8, 12, 16, 24, 28, 32] });
  });

  it('with a budget, selects exactly budget − 1 tokens (the extra token makes the budget)', () => {
    const attn = Array.from({ length: 36 }, (_, i) => (i === 7 ? 0.3 : i === 20 ? 0.2 : 0.01));
    const sel = pruMergePlusSelect(attn, 10);
    expect(sel.byAttention).toEqual([7, 20]);
    expect(sel.samples).toHaveLength(7);
    expect(new Set([...sel.byAttention, ...sel.samples]).size).toBe(9);
  });

  it('adds attention-weighted top-k similar tokens to each kept token and sums the pruned ones', () => {
    const attn = [0.5, 0.2, 0.1, 0.05];
    const keys = angles(0, 10, 90, 20); // token 0's two nearest by key: 1 (10°) and 3 (20°)
    const hidden = column([1, 2, 3, 4]);
    const out = pruMergeFeatures([0], attn, keys, hidden, 2);
    expect(out.rows).toBe(2);
    expect(out.data[0]).toBeCloseTo(1 + 0.2 * 2 + 0.05 * 4, 6);
    expect(out.data[1]).toBeCloseTo(0.2 * 2 + 0.1 * 3 + 0.05 * 4, 6);
  });
});

describe('uniform pooling', () => {
  it('maps budgets to the closest grid, preferring the input aspect', () => {
    expect(poolGrid(24, 24, 288)).toEqual({ rows: 16, cols: 18 });
    expect(poolGrid(24, 24, 144)).toEqual({ rows: 12, cols: 12 });
    expect(poolGrid(24, 24, 64)).toEqual({ rows: 8, cols: 8 });
    expect(poolGrid(10, 10, 11)).toEqual({ rows: 3, cols: 4 });
    expect(poolGrid(2, 8, 4)).toEqual({ rows: 1, cols: 4 });
  });

  it('partitions the grid: every token in exactly one bin', () => {
    const bins = poolBins(10, 10, { rows: 3, cols: 4 });
    expect(bins).toHaveLength(12);
    expect(bins.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(bins[0]).toEqual([0, 1, 10, 11, 20, 21]); // rows 0–2 (⌊10/3⌋ = 3), cols 0–1 (⌊10/4⌋ = 2)
  });
});
