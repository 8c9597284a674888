import { describe, expect, it } from 'vitest';
import { TraceBuilder } from '../../../../src/shared/trace-builder';
import { equivalentTokens } from '../../../../src/shared/trace';
import { CDIST_MM_ABOVE, dpcKnn } from '../../../../src/engine/pruners/algorithms/dpc-knn';
import { gram } from '../../../../src/engine/pruners/algorithms/similarity';
import { fromRows, matrix } from '../../../../src/engine/pruners/algorithms/matrix';
import { pdropLambdaForRetention, pdropSchedule } from '../../../../src/engine/pruners/algorithms/pdrop';
import { raterScores, recycleCounts, selectRaters, sparseVlmSchedule, sparseVlmShape } from '../../../../src/engine/pruners/algorithms/sparsevlm';
import { rankDescending, topK } from '../../../../src/engine/pruners/algorithms/topk';
import {
  TRANSPRUNE_PAPER_ACCUMULATION,
  TtvAccumulator,
  instructionGuidedAttention,
  tokenTransitionVariation,
  transPruneGammaForRetention,
  transPruneSchedule,
  transPruneScore,
} from '../../../../src/engine/pruners/algorithms/transprune';
import { seededUniform } from '../../../../src/shared/random';

/** Float32 fixtures carry ~1e-8 noise; compare at 6 decimals. */
const rounded = (x: ArrayLike<number>): number[] => Array.from(x, (v) => +v.toFixed(6));

describe('TransPrune', () => {
  it('schedules 576 → 504 → 360 → 72 after 0-based layers 6, 8, 11 of 32 (int() flooring)', () => {
    expect(transPruneSchedule(576, 32)).toEqual([
      { layer: 6, keep: 504 },
      { layer: 8, keep: 360 },
      { layer: 11, keep: 72 },
    ]);
    expect(transPruneSchedule(100, 32).map((s) => s.keep)).toEqual([87, 62, 12]); // 87.5, 62.5, 12.5 floored
  });

  it('computes TTV as m·softmax(1 − cos) over all tokens, or 1 − |cos| (paper option)', () => {
    const e = Math.E;
    const ttv = tokenTransitionVariation({ ratio: [1, 2, 1], cos: [1, 0, 0] });
    // dir = [0, 1, 1] → softmax [1, e, e]/(1 + 2e), times m = [1, 2, 1].
    [1 / (1 + 2 * e), (2 * e) / (1 + 2 * e), e / (1 + 2 * e)].forEach((v, i) => expect(ttv[i]).toBeCloseTo(v, 12));
    const abs = tokenTransitionVariation({ ratio: [1, 1], cos: [-1, 1] }, 'abs-cos');
    expect(Array.from(abs)).toEqual([0.5, 0.5]);
    const signed = tokenTransitionVariation({ ratio: [1, 1], cos: [-1, 1] });
    expect(signed[0]).toBeCloseTo(Math.exp(2) / (Math.exp(2) + 1), 12);
  });

  it('combines normalised TTV and IGA, and re-indexes the accumulated TTV after a prune', () => {
    expect(Array.from(transPruneScore([1, 1, 2], [0, 3, 1]))).toEqual([0.25, 1, 0.75]);
    expect(rounded(instructionGuidedAttention(fromRows([[0.2, 0.4], [0.4, 0]])))).toEqual([0.3, 0.2]);
    const acc = new TtvAccumulator();
    acc.add([1, 2, 3]);
    acc.add([10, 20, 30]);
    acc.reindex([2, 0]);
    expect(Array.from(acc.total())).toEqual([33, 11]);
    expect(() => acc.add([1, 2, 3])).toThrow(/2 are live/);
  });

  it('runs progressively on a 576-token input: the trace shows 576 → 504 → 360 → 72', () => {
    const rand = seededUniform(3);
    const builder = new TraceBuilder({ frames: 1, rows: 24, cols: 24 }, 'compact');
    const acc = new TtvAccumulator();
    const schedule = transPruneSchedule(576, 32);
    for (let layer = 0; layer < 32; layer++) {
      const live = builder.visualCount;
      if (layer >= TRANSPRUNE_PAPER_ACCUMULATION.first && layer <= TRANSPRUNE_PAPER_ACCUMULATION.last) {
        acc.add(Array.from({ length: live }, () => rand()));
      }
      const stage = schedule.find((s) => s.layer === layer);
      if (!stage) continue;
      const iga = Array.from({ length: live }, () => rand());
      const score = transPruneScore(acc.total(), iga);
      const keep = topK(score, stage.keep);
      builder.keep({ stage: 'llm', layer, label: 'TransPrune' }, keep, score);
      acc.reindex(keep);
    }
    const trace = builder.finish({ decoderLayers: 32, nonVisualTokens: 40 });
    expect(trace.steps.map((s) => s.order.length)).toEqual([504, 360, 72]);
    expect(trace.layers[6]!.visual).toBe(576);
    expect(trace.layers[7]!.visual).toBe(504);
    expect(trace.layers[9]!.visual).toBe(360);
    expect(trace.layers[12]!.visual).toBe(72);
    expect(equivalentTokens(trace)).toBe((7 * 576 + 2 * 504 + 3 * 360 + 20 * 72) / 32);
  });

  it('maps retention to a schedule power γ (γ ≈ 1 at the paper schedule) and reports the floor', () => {
    const paper = transPruneGammaForRetention(576, 236.25 / 576, 32);
    expect(paper.achievedRetention).toBeCloseTo(236.25 / 576, 2);
    expect(paper.gamma).toBeCloseTo(1, 1);
    expect(transPruneGammaForRetention(576, 0.05, 32).achievedRetention).toBeGreaterThanOrEqual(7 / 32);
  });
});

describe('PyramidDrop', () => {
  it('halves after 0-based layers 7, 15, 23 at λ = 0.5, and maps retention back to λ', () => {
    expect(pdropSchedule(576, 0.5, 32)).toEqual([
      { layer: 7, keep: 288 },
      { layer: 15, keep: 144 },
      { layer: 23, keep: 72 },
    ]);
    const r = pdropLambdaForRetention(576, 270 / 576, 32);
    expect(r.lambda).toBeCloseTo(0.5, 2);
    expect(r.achievedRetention).toBeCloseTo(270 / 576, 3);
  });
});

describe('SparseVLM', () => {
  it('selects raters whose softmax relevance exceeds the mean', () => {
    const visual = fromRows([
      [1, 0],
      [1, 0],
    ]);
    const text = fromRows([
      [2, 0],
      [0, 0],
      [1, 0],
    ]);
    // Each visual row: softmax([2, 0, 1]) = [0.665, 0.090, 0.245]; mean 1/3 → only text token 0.
    expect(selectRaters(visual, text)).toEqual([0]);
    expect(rounded(raterScores(fromRows([[0.1, 0.3], [0.5, 0.1], [0.3, 0.3]]), [0, 2]))).toEqual([0.2, 0.3]);
  });

  it('recycles ⌊0.3·n_del⌋+1 deleted tokens into ⌊n_rec/10⌋+1 clusters', () => {
    expect(recycleCounts(276)).toEqual({ recycled: 83, clusters: 9 });
    expect(recycleCounts(0)).toEqual({ recycled: 0, clusters: 0 });
    expect(recycleCounts(1)).toEqual({ recycled: 1, clusters: 1 });
  });

  it('clusters two separated blobs into one cluster each (DPC-kNN)', () => {
    const rand = seededUniform(4);
    const pts = Array.from({ length: 12 }, (_, i) => [(i < 6 ? 0 : 10) + rand(), (i < 6 ? 0 : 10) + rand()]);
    const { centers, assignment } = dpcKnn(matrix(Float32Array.from(pts.flat()), 12, 2), 2);
    expect(centers).toHaveLength(2);
    expect(new Set(centers.map((c) => c < 6)).size).toBe(2);
    const a = Array.from(assignment);
    expect(new Set(a.slice(0, 6)).size).toBe(1);
    expect(new Set(a.slice(6)).size).toBe(1);
    expect(a[0]).not.toBe(a[6]);
  });

  it('DPC-kNN equals the definition computed the plain way (every row sorted) on random tokens with duplicates', () => {
    const rand = seededUniform(9);
    for (let trial = 0; trial < 12; trial++) {
      const n = [6, 12, 25, 26, 31, 44][trial % 6]!; // both sides of the 25-row switch
      const d = 1 + Math.floor(rand() * 6);
      const data = Float32Array.from({ length: n * d }, () => Math.round(rand() * 4) / 2); // coarse values: equal distances and densities happen
      const k = 1 + Math.floor(rand() * n);
      // torch.cdist's two forms: differences up to 25 rows, the Gram matrix above (exact here: small half-integers).
      const g = gram(matrix(data, n, d)).data;
      const sq = (i: number, j: number): number => (n > CDIST_MM_ABOVE ? Math.max(0, g[i * n + i]! + g[j * n + j]! - 2 * g[i * n + j]!) : Array.from({ length: d }, (_, c) => (data[i * d + c]! - data[j * d + c]!) ** 2).reduce((a, b) => a + b, 0));
      const dist = (i: number, j: number): number => Math.sqrt(sq(i, j)) / Math.sqrt(d);
      const all = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 0 : dist(Math.min(i, j), Math.max(i, j)))));
      const density = all.map((r) => Math.exp(-[...r].sort((a, b) => a - b).slice(0, k).reduce((a, v) => a + v * v, 0) / k));
      const maxDist = Math.max(...all.flat());
      const score = density.map((di, i) => di * Math.min(maxDist, ...all[i]!.filter((_, j) => j !== i && (density[j]! > di || (density[j] === di && j < i)))));
      const centers = rankDescending(score).slice(0, k);
      const got = dpcKnn(matrix(data, n, d), k);
      expect(got.centers).toEqual(centers);
      const assignment = all.map((r) => centers.reduce((b, c, ci) => (r[c]! < r[centers[b]!]! ? ci : b), 0));
      centers.forEach((c, ci) => (assignment[c] = ci));
      expect(Array.from(got.assignment)).toEqual(assignment);
    }
  });

  it('uses the v1.5 table shape at its budgets and hits the requested layer average', () => {
    expect(sparseVlmShape(192 / 576).map((f) => Math.round(f * 576))).toEqual([300, 200, 110]);
    expect(sparseVlmShape(64 / 576).map((f) => Math.round(f * 576))).toEqual([66, 30, 17]);
    for (const retention of [1 / 2, 1 / 4, 1 / 9]) {
      const { stages, achievedRetention } = sparseVlmSchedule(576, retention, 32);
      expect(stages.map((s) => s.layer)).toEqual([2, 6, 15]);
      expect(Math.abs(achievedRetention - retention)).toBeLessThan(0.005);
    }
  });
});
