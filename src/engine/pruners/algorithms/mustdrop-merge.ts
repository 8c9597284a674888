/**
 * MustDrop, ViT stage — local spatial merging after ViT layer 0, and the key token set from the
 * last ViT layer (arXiv 2411.10803). Reference code: github.com/liuting20/MustDrop,
 * `llava/model/multimodal_encoder/local_merge.py` (`conditional_pooling`, `merge_wavg`) and
 * `clip_encoder.py` (`CLIPVisionModelAcc.custom_forward`). METHODS.md §1a, §1b.
 *
 * Needs: the patch hidden states after ViT layer 0 (a hook that can shorten the sequence), and the
 * last ViT layer's CLS attention row over the patches, averaged over heads.
 *
 * Merge: tile the patch grid into non-overlapping 3×3 windows; window score = Σ_{i≠j} cos(x_i, x_j)
 * / (9·8); r = #windows with score ≥ 0.8 (the minimum over frames, as the code's batch minimum);
 * each frame merges its top-r windows into the plain mean of the 9 tokens, stored at the window's
 * bottom-right member. New order: merged tokens in rank order, then unmerged tokens ascending.
 * Key set: the top ceil(0.08·P′) patches by CLS attention, P′ the (merged) patch count — 47 for
 * P′ = 576 (0.08·576 = 46.08; the code's comment shows the same arithmetic).
 *
 * Grids not divisible by 3 (ours, the code asserts divisibility): windows tile from the top-left;
 * the last rows/columns that do not fill a whole 3×3 window (rows mod 3, cols mod 3 — e.g. the
 * 10th row and column of a 10×10 grid) are never merged and keep their tokens. Every merged window
 * is then a full 3×3 one, so the score and the threshold mean exactly what they do in the paper.
 */
import { gatherRows, meanOfRows, normalizeRows, type Matrix } from './matrix';
import { rowDot } from './similarity';
import { rankDescending, topK } from './topk';

/** A 3×3 window of a rows×cols grid: its members in raster order (bottom-right last). */
export interface GridWindow {
  index: number;
  members: number[];
}

/** The full `size`×`size` windows of a rows×cols grid, row-major; partial edge windows are omitted. */
export function gridWindows(rows: number, cols: number, size = 3): GridWindow[] {
  const windows: GridWindow[] = [];
  for (let wr = 0; wr + size <= rows; wr += size) {
    for (let wc = 0; wc + size <= cols; wc += size) {
      const members: number[] = [];
      for (let r = 0; r < size; r++) for (let c = 0; c < size; c++) members.push((wr + r) * cols + wc + c);
      windows.push({ index: windows.length, members });
    }
  }
  return windows;
}

/** Mean pairwise cosine over ordered pairs i≠j of the rows `members` of `features`. */
export function windowScore(features: Matrix, members: readonly number[]): number {
  return windowScoreOfUnitRows(normalizeRows(gatherRows(features, members)), members.map((_, i) => i));
}

/**
 * windowScore over rows already scaled to unit norm (normalizeRows is row by row, so normalising
 * the frame once gives the window's rows bit for bit): each cosine is the float32 value
 * cosineMatrix would hold (rowDot, similarity.ts's one way to compute a dot product), summed in
 * the same order. The merge scores every window of every frame: one normalisation instead of one
 * per window, and no matrix copies.
 */
function windowScoreOfUnitRows(unit: Matrix, members: readonly number[]): number {
  const m = members.length;
  if (m < 2) return 0;
  const d = unit.cols;
  const sim = new Float32Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let j = i; j < m; j++) {
      const v = rowDot(unit.data, members[i]! * d, members[j]! * d, d);
      sim[i * m + j] = v;
      sim[j * m + i] = v;
    }
  }
  let sum = 0;
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) if (i !== j) sum += sim[i * m + j]!;
  return sum / (m * (m - 1));
}

/** One frame's merge result, in the new sequence order. */
export interface SpatialMerge {
  /** Merged windows in rank order: members (patch indices) and the member holding the mean. */
  merged: { window: number; members: number[]; at: number; score: number }[];
  /** Unmerged patch indices, ascending. */
  unmerged: number[];
  /** New features: merged means then unmerged tokens, [merged + unmerged] × d. */
  features: Matrix;
}

/**
 * Merges each frame's patches (`frames[f]` is [rows·cols × d]). r is the number of windows scoring
 * ≥ `threshold`, taken as the minimum over frames so every frame merges the same number (code).
 */
export function mustDropSpatialMerge(frames: readonly Matrix[], grid: { rows: number; cols: number }, threshold = 0.8): SpatialMerge[] {
  const windows = gridWindows(grid.rows, grid.cols);
  const scores = frames.map((f) => {
    if (f.rows !== grid.rows * grid.cols) throw new RangeError(`a frame has ${f.rows} patches, the grid ${grid.rows}×${grid.cols} needs ${grid.rows * grid.cols}`);
    const unit = normalizeRows(f);
    return windows.map((w) => windowScoreOfUnitRows(unit, w.members));
  });
  const r = Math.min(...scores.map((s) => s.filter((v) => v >= threshold).length));
  return frames.map((f, fi) => {
    const ranked = rankDescending(scores[fi]!).slice(0, r);
    const inMerged = new Uint8Array(f.rows);
    const merged = ranked.map((w) => {
      const members = windows[w]!.members;
      for (const m of members) inMerged[m] = 1;
      return { window: w, members, at: members[members.length - 1]!, score: scores[fi]![w]! };
    });
    const unmerged: number[] = [];
    for (let i = 0; i < f.rows; i++) if (!inMerged[i]) unmerged.push(i);
    const d = f.cols;
    const out = new Float32Array((merged.length + unmerged.length) * d);
    merged.forEach((m, i) => out.set(meanOfRows(f, m.members), i * d));
    out.set(gatherRows(f, unmerged).data, merged.length * d);
    return { merged, unmerged, features: { data: out, rows: merged.length + unmerged.length, cols: d } };
  });
}

/** Size of MustDrop's key set for `patches` tokens: ceil(keepRate·patches). */
export function keySetSize(patches: number, keepRate = 0.08): number {
  // Round away float noise first (0.07·100 is 7.000000000000001 in binary floating point), so the
  // ceiling only moves on a real fractional part such as 0.08·576 = 46.08 → 47.
  return Math.min(patches, Math.ceil(Number((keepRate * patches).toFixed(9))));
}

/** The key set: top ceil(0.08·P′) patches by (head-mean) CLS attention, ascending. */
export function mustDropKeySet(clsAttention: ArrayLike<number>, keepRate = 0.08): number[] {
  return topK(clsAttention, keySetSize(clsAttention.length, keepRate));
}
