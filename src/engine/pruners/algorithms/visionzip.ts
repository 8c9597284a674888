/**
 * VisionZip — dominant + contextual visual tokens (arXiv 2412.04467, CVPR'25).
 * Reference code: github.com/dvlab-research/VisionZip, `visionzip/clip_encoder.py`,
 * `visionzip/utils.py`, `visionzip/main.py`. METHODS.md §8.2.
 *
 * Needs: at the ViT feature layer (LLaVA's select layer, 22 of 24): the CLS attention row over the
 * patches, that layer's output hidden states, and its keys averaged over heads (`metric`).
 *
 * Dominant: the top (D−1) patches by CLS attention summed over heads, plus the CLS token itself,
 * in original order. Our probe gives the head *mean*; the sum is H × mean, a positive multiple, so
 * the ranking — the only thing used — is identical.
 * Contextual: the remaining patches R (original order) with L2-normalised metric keys; targets are
 * R[0], R[step], R[2·step], … (the first C) with step = max(1, ⌊|R|/C⌋); every other remaining
 * patch joins the target it is most cosine-similar to; contextual token = h_target + mean of its
 * assigned tokens (h_target alone when none joined) — target *plus* mean, as the code does.
 *
 * Our choices: the CLS token is handled by the caller (it is not a grid token, so it cannot appear
 * in the token trace); `includeCls` only decides whether it takes one of the D dominant slots.
 * Budget split: the paper's settings 54+10, 108+20, 162+30 all have C = round(5·B/32) of a budget
 * B; we use that for any B. Ties go to the lower index.
 */
import { normalizeRowsScalar, type Matrix } from './matrix';
import { nearestByCosineSimd, rowDot, startPlusMeanRows } from './similarity';
import { complement, topK } from './topk';

/** Dominant/contextual split of a total budget B: C = round(5B/32) (the paper's ratio), D = B − C. */
export function visionZipSplit(budget: number): { dominant: number; contextual: number } {
  if (budget <= 1) return { dominant: Math.max(0, budget), contextual: 0 };
  const contextual = Math.min(budget - 1, Math.round((5 * budget) / 32));
  return { dominant: budget - contextual, contextual };
}

/** A contextual token: the target patch plus the patches assigned to it (ascending). */
export interface ContextualGroup {
  target: number;
  assigned: number[];
}

export interface VisionZipSelection {
  /** Dominant patch indices, ascending (the CLS token, if it takes a slot, comes before them). */
  dominant: number[];
  contextual: ContextualGroup[];
  /** [dominantPatches + contextual] × d output features (CLS not included), in output order. */
  features: Matrix;
}

/**
 * Runs VisionZip on one image's patches. `clsAttention` (length P) ranks patches; `keys` [P × dk]
 * are the head-mean keys; `hidden` [P × d] the feature-layer outputs. `dominant` counts the CLS
 * token when `includeCls` (the code's default), so D−1 patches are kept then.
 */
export function visionZip(
  clsAttention: ArrayLike<number>,
  keys: Matrix,
  hidden: Matrix,
  counts: { dominant: number; contextual: number; includeCls: boolean },
): VisionZipSelection {
  const p = clsAttention.length;
  if (keys.rows !== p || hidden.rows !== p) throw new RangeError(`VisionZip: ${p} attention scores but ${keys.rows} keys and ${hidden.rows} hidden rows`);
  const dominantPatches = Math.max(0, Math.min(p, counts.dominant - (counts.includeCls ? 1 : 0)));
  const dominant = topK(clsAttention, dominantPatches);
  const remaining = complement(p, dominant);
  const contextual = contextualGroups(keys, remaining, counts.contextual);
  // Output rows: each dominant patch as it is, then each target plus the mean of its assigned
  // patches (addDividedRow's arithmetic), all in one kernel call.
  const starts: number[] = dominant.slice();
  const members: (readonly number[])[] = [];
  for (let i = 0; i < dominant.length; i++) members.push(NONE);
  for (let c = 0; c < contextual.length; c++) {
    starts.push(contextual[c]!.target);
    members.push(contextual[c]!.assigned);
  }
  const d = hidden.cols;
  const out = startPlusMeanRows(hidden.data, d, starts, members);
  return { dominant, contextual, features: { data: out, rows: starts.length, cols: d } };
}

const NONE: readonly number[] = Object.freeze([]);

/** Strided targets over `remaining` and nearest-target (cosine on keys) assignment of the rest. */
export function contextualGroups(keys: Matrix, remaining: readonly number[], count: number): ContextualGroup[] {
  const c = Math.max(0, Math.min(remaining.length, count));
  if (c === 0) return [];
  const step = Math.max(1, Math.floor(remaining.length / c));
  const targets: number[] = [];
  const others: number[] = [];
  for (let slot = 0; slot < remaining.length; slot++) {
    if (targets.length < c && slot === targets.length * step) targets.push(remaining[slot]!);
    else others.push(remaining[slot]!);
  }
  const nearest = nearestByCosineSimd(keys, others, targets) ?? nearestTarget(keys, others, targets);
  const groups: ContextualGroup[] = [];
  for (let t = 0; t < c; t++) groups.push({ target: targets[t]!, assigned: [] });
  for (let i = 0; i < others.length; i++) groups[nearest[i]!]!.assigned.push(others[i]!);
  return groups;
}

/**
 * For each of `rows`, the index into `targets` of the most cosine-similar one (keys scaled to unit
 * norm, rowDot, the first on ties): the reference for the SIMD kernel, and the fallback without it.
 */
export function nearestTarget(keys: Matrix, rows: readonly number[], targets: readonly number[]): Int32Array {
  const unit = normalizeRowsScalar(keys);
  const d = unit.cols;
  const out = new Int32Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    let best = 0;
    let bestSim = -Infinity;
    for (let t = 0; t < targets.length; t++) {
      const sim = rowDot(unit.data, rows[i]! * d, targets[t]! * d, d);
      if (sim > bestSim) {
        bestSim = sim;
        best = t;
      }
    }
    out[i] = best;
  }
  return out;
}
