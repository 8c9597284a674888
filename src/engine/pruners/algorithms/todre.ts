/**
 * ToDRE — token diversity and task relevance (arXiv 2505.18757). No public code; implemented from
 * the v2 paper text and appendix (METHODS.md §5).
 *
 * Needs: stage 1 — the last ViT layer's CLS attention (only to pick the pivot) and the projected
 * visual embeddings; stage 2 — head-mean attention at one decoder layer (7L/8): the share of the
 * text rows' mass on visual keys and of the visual rows' mass on text keys.
 *
 * Stage 1 (v2, default): greedy max-sum diversification from the pivot. Rows are L2-normalised
 * ("in the LLM embedding space": post-projector features, [inferred]); s = X·x_p; repeatedly add the
 * token with the smallest *cumulative* similarity to the selected set. v1 option: greedy k-center
 * (max-min distance) from the same pivot — the family of DivPrune, but seeded with the pivot.
 * Stage 2: if α_{t→v} < τ and α_{v→t} < τ (τ = 0.10), every visual token is removed after layer ℓ.
 *
 * Our choices where the paper is silent: kept order = original order; ties go to the lower index;
 * in a run the cosines come from the projector graph's `cosine` probe (as DivPrune's);
 * ℓ = 7L/8 read as the 0-based layer 28 of 32, scaled to other depths as a cut (depth.ts). With
 * the causal [S, V, T] layout
 * α_{v→t} is always 0 (visual queries cannot see later text), so the test reduces to α_{t→v} < τ;
 * both are computed anyway, as the paper describes.
 */
import { cutAfter } from './depth';
import { normalizeRows, type Matrix } from './matrix';
import { addInto, addRange, addRowInto, maxInto, maxRowInto, rowDots } from './similarity';
import { bestUnchosen } from './topk';

/** The pivot: the visual token with the highest CLS attention (lowest index on ties; one pass). */
export function todrePivot(clsAttention: ArrayLike<number>): number {
  if (clsAttention.length === 0) throw new RangeError('no visual tokens to choose a pivot from');
  let best = 0;
  for (let i = 1; i < clsAttention.length; i++) if (clsAttention[i]! > clsAttention[best]!) best = i;
  return best;
}

/**
 * v2 max-sum selection of `k` rows of `features` starting from `pivot`, in selection order:
 * each step adds argmin_v Σ_{c∈C} cos(x_v, x_c).
 */
export function maxSumSelect(features: Matrix, k: number, pivot: number, cosine?: Matrix): number[] {
  return greedyFromPivot(features, k, pivot, 'sum', cosine);
}

/**
 * v1 k-center selection from `pivot`: each step adds the row whose *largest* similarity to the
 * selected set is smallest, i.e. whose minimum cosine distance is largest (farthest point).
 */
export function kCenterSelect(features: Matrix, k: number, pivot: number, cosine?: Matrix): number[] {
  return greedyFromPivot(features, k, pivot, 'max', cosine);
}

/**
 * Greedy selection that adds argmin_v of the sum ('sum') or max ('max') of cos(x_v, selected).
 * `cosine`, when given, is the rows' cosine matrix [n × n] (the projector graph's probe): its rows
 * are read instead of computing one row of dot products per pick.
 */
function greedyFromPivot(features: Matrix, k: number, pivot: number, fold: 'sum' | 'max', cosine?: Matrix): number[] {
  const n = features.rows;
  if (!Number.isInteger(pivot) || pivot < 0 || pivot >= n) throw new RangeError(`pivot ${pivot} is outside the ${n} visual tokens`);
  if (cosine && (cosine.rows !== n || cosine.cols !== n)) throw new RangeError(`a ${cosine.rows}×${cosine.cols} cosine matrix for ${n} tokens`);
  const count = Math.max(0, Math.min(n, k));
  if (count === 0) return [];
  const score = new Float64Array(n).fill(fold === 'sum' ? 0 : -Infinity);
  const sims = cosine ? null : new Float64Array(n);
  const chosen = new Uint8Array(n);
  const selected: number[] = [];
  // One row of similarities per selected token (k·N·d), never the N×N matrix, unless it was given.
  const x = cosine ? null : normalizeRows(features);
  const dots = x ? rowDots(x) : null; // x is copied into the SIMD kernels once, not at every pick
  const add = (c: number): void => {
    selected.push(c);
    chosen[c] = 1;
    // A probe row is added where it is (its float32 values promoted, as a float64 copy would be).
    if (!dots) {
      if (fold === 'sum') addRowInto(score, cosine!.data, c * n);
      else maxRowInto(score, cosine!.data, c * n);
      return;
    }
    dots(x!.data, c * x!.cols, sims!);
    if (fold === 'sum') addInto(score, sims!);
    else maxInto(score, sims!);
  };
  add(pivot);
  while (selected.length < count) add(bestUnchosen(score, chosen, 'min'));
  return selected;
}

/** ToDRE stage-2 check layer: 0-based 7L/8 (28 of 32) as a cut (see depth.ts), so at most L−2. */
export function todreRelevanceLayer(numLayers: number): number {
  return cutAfter(28, 32, numLayers);
}

/**
 * Attention mass shares for stage 2, from head-mean attention rows normalised over all keys.
 * `textRows` is [|T| × n] and `visualRows` [|V| × n] over the whole sequence; the visual keys are
 * columns [visualStart, visualStart+visualCount), text keys are the columns after them. Each
 * share is Σ inside / Σ all over its rows, both summed in row-major order (0 without rows).
 */
export function attentionShares(
  textRows: Matrix,
  visualRows: Matrix,
  span: { visualStart: number; visualCount: number },
): { textToVisual: number; visualToText: number } {
  const vEnd = span.visualStart + span.visualCount;
  const share = (m: Matrix, from: number, to: number): number => {
    const sums = new Float64Array(2);
    for (let i = 0; i < m.rows; i++) addRowShare(sums, m.data, i * m.cols, m.cols, from, to);
    return shareOf(sums, m.rows);
  };
  return { textToVisual: share(textRows, span.visualStart, vEnd), visualToText: share(visualRows, vEnd, visualRows.cols) };
}

/**
 * attentionShares read from one probe's rows (sequence indices `rows`, values [R × length])
 * without copying them: the text rows are those after the visual block, the visual rows those in
 * it — the same sums in the same order, so the same shares.
 */
export function attentionSharesOfRows(attention: { rows: readonly number[]; values: Matrix }, span: { visualStart: number; visualCount: number }): { textToVisual: number; visualToText: number } {
  const { data, cols } = attention.values;
  const rows = attention.rows;
  const vEnd = span.visualStart + span.visualCount;
  const text = new Float64Array(2);
  const visual = new Float64Array(2);
  let textCount = 0;
  let visualCount = 0;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    if (r >= vEnd) {
      addRowShare(text, data, i * cols, cols, span.visualStart, vEnd);
      textCount++;
    } else if (r >= span.visualStart) {
      addRowShare(visual, data, i * cols, cols, vEnd, cols);
      visualCount++;
    }
  }
  return { textToVisual: shareOf(text, textCount), visualToText: shareOf(visual, visualCount) };
}

/** sums[0] += Σ row[from..to), sums[1] += Σ row (the row at data[at..at+cols)), each in order. */
function addRowShare(sums: Float64Array, data: Float32Array, at: number, cols: number, from: number, to: number): void {
  sums[1] = addRange(sums[1]!, data, at, at + cols);
  sums[0] = addRange(sums[0]!, data, at + Math.max(0, from), at + Math.min(cols, to));
}

function shareOf(sums: Float64Array, rows: number): number {
  return rows > 0 && sums[1]! > 0 ? sums[0]! / sums[1]! : 0;
}

/** Stage-2 decision: drop every visual token iff both shares are below τ. */
export function todreDropsAllVisual(shares: { textToVisual: number; visualToText: number }, tau = 0.1): boolean {
  return shares.textToVisual < tau && shares.visualToText < tau;
}
