/**
 * LLaVA-PruMerge+ (arXiv 2403.15388). Reference code: github.com/42Shawn/LLaVA-PruMerge,
 * `llava/model/multimodal_encoder/clip_encoder.py` (`token_prune_merge_advanced_plus`,
 * `outlier_dectection`). METHODS.md §8.5.
 *
 * Needs: the last ViT layer's q/k projections as ONE full-width head — a = softmax(q_cls·Kᵀ/√D)
 * over all tokens, CLS row, patch columns (not our head-mean probe: a separate single-head probe);
 * that layer's keys (full width) for similarity; the feature layer's patch outputs (pre-projector).
 *
 * 1. IQR outliers of a (numpy-style linear percentiles): ratio = #{a_j > Q3 + 1.5·IQR}/P; keep the
 *    top int(P·ratio) by a, best first.
 * 2. PruMerge+ spatial samples: step = int(1/ratio), s = ⌊step/3⌋; add 0, s, 2s, … < P−1 (the code's
 *    hard-coded 575 = P−1) not already chosen.
 * 3. Each kept token i: x_i ← x_i + Σ_j a_j x_j over its 32 most key-cosine-similar *other* tokens
 *    (kept or pruned), weights the unnormalised a_j, x_j the un-updated features.
 * 4. Append one token Σ_{pruned} a_j x_j. Output order: attention rank, then samples, then the extra.
 *
 * Our choices (the code crashes in these cases): no outlier ⇒ ratio = 1/P (one token); s ≥ 1.
 * Budget mode (ours, for a requested retention): keep min(outliers, B−1) attention tokens, then
 * spatial samples with the largest stride that yields the remaining B−1−k slots, thinned evenly,
 * then the extra token — B tokens in all.
 */
import { normalizeRows, row, type Matrix } from './matrix';
import { addScaledRowsInto, rowDots } from './similarity';
import { complement, rankDescending, topKRankExcluding } from './topk';

/** numpy.percentile with linear interpolation (its default); NaN-free input. */
export function percentile(values: ArrayLike<number>, q: number): number {
  // A typed array sorts numerically without a comparator callback; for NaN-free values the order
  // is (a, b) => a − b's up to the sign of equal zeros, which cannot change the result.
  const sorted = Float64Array.from(values).sort();
  if (sorted.length === 0) throw new RangeError('percentile of no values');
  const pos = (q / 100) * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** Fraction of scores above Q3 + 1.5·IQR (PruMerge's `outlier_dectection`). */
export function iqrOutlierRatio(scores: ArrayLike<number>): number {
  const q1 = percentile(scores, 25);
  const q3 = percentile(scores, 75);
  const bound = q3 + 1.5 * (q3 - q1);
  let count = 0;
  for (let i = 0; i < scores.length; i++) if (scores[i]! > bound) count++;
  return count / scores.length;
}

/** Spatial samples 0, s, 2s, … < limit with s = max(1, stride), skipping `taken`. */
function spatialSamples(stride: number, limit: number, taken: ReadonlySet<number>): number[] {
  const out: number[] = [];
  for (let i = 0; i < limit; i += Math.max(1, stride)) if (!taken.has(i)) out.push(i);
  return out;
}

/**
 * PruMerge+ selection over P patches: attention-rank tokens then spatial samples (output order).
 * Without `budget`, the paper's adaptive count; with it, exactly budget−1 tokens (the extra token
 * makes `budget`), see the header.
 */
export function pruMergePlusSelect(clsAttention: ArrayLike<number>, budget?: number): { byAttention: number[]; samples: number[] } {
  const p = clsAttention.length;
  const ratio = Math.max(iqrOutlierRatio(clsAttention), 1 / p);
  const rank = rankDescending(clsAttention);
  if (budget === undefined) {
    const byAttention = rank.slice(0, Math.max(1, Math.floor(p * ratio)));
    const s = Math.floor(Math.floor(1 / ratio) / 3);
    return { byAttention, samples: spatialSamples(s, p - 1, new Set(byAttention)) };
  }
  const slots = Math.max(1, Math.min(p, budget - 1));
  const byAttention = rank.slice(0, Math.min(slots, Math.max(1, Math.floor(p * ratio))));
  const need = slots - byAttention.length;
  if (need === 0) return { byAttention, samples: [] };
  const taken = new Set(byAttention);
  for (let stride = Math.max(1, Math.floor(p / need)); stride >= 1; stride--) {
    const candidates = spatialSamples(stride, p, taken);
    if (candidates.length >= need) {
      const samples = Array.from({ length: need }, (_, i) => candidates[Math.floor((i * candidates.length) / need)]!);
      return { byAttention, samples };
    }
  }
  return { byAttention, samples: complement(p, byAttention).slice(0, need) };
}

/**
 * The merge step: for each kept index (output order), x_i + Σ a_j x_j over its `neighbours` most
 * similar other tokens by key cosine; then the extra token Σ_{pruned} a_j x_j. Returns
 * [kept + 1] × d features.
 */
export function pruMergeFeatures(kept: readonly number[], clsAttention: ArrayLike<number>, keys: Matrix, hidden: Matrix, neighbours = 32): Matrix {
  const p = hidden.rows;
  const d = hidden.cols;
  const h = hidden.data;
  // Only the kept tokens' rows of the key-cosine matrix are read: k·P·dk work instead of P²·dk, the
  // same float32 values cosineMatrix would hold (similarity.ts computes every entry one way).
  const unit = normalizeRows(keys);
  const dots = rowDots(unit); // copied into the SIMD kernels once for all kept tokens
  const simRow = new Float32Array(p);
  const out = new Float32Array((kept.length + 1) * d);
  // Every weighted sum is gathered first and added in one kernel call, in the same member order.
  const at: number[] = [];
  const groups: number[][] = [];
  kept.forEach((i, slot) => {
    out.set(row(hidden, i), slot * d);
    dots(unit.data, i * unit.cols, simRow);
    at.push(slot);
    groups.push(topKRankExcluding(simRow, neighbours, i));
  });
  at.push(kept.length);
  groups.push(complement(p, [...kept]));
  addScaledRowsInto(out, at, h, d, groups, groups.map((members) => members.map((j) => clsAttention[j]!)));
  return { data: out, rows: kept.length + 1, cols: d };
}
