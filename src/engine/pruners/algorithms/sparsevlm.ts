/**
 * SparseVLM (arXiv 2410.04417, ICML'25), v1.5 behaviour (the code default `USE_VERSION=1_0`).
 * Reference code: github.com/Gumpest/SparseVLMs, `llava/model/language_model/score.py`,
 * `modelling_sparse_llama.py`, `utils.py`. METHODS.md §8.3.
 *
 * Needs: the LLM input embeddings of the visual and text tokens (rater selection, once); after each
 * pruning layer the head-mean attention of the text rows over the visual columns (normalised over
 * all keys) and the visual hidden states (for recycling).
 *
 * Raters: M = V·Tᵀ, softmax over the text dimension, mean over visual rows → r ∈ R^|T|; raters =
 * {t : r_t > mean(r)}. Score_j = mean over rater rows of the attention to visual j; keep top N_ℓ
 * (ascending). Recycling: of the deleted tokens, the top ⌊0.3·n_del⌋+1 by score are clustered by
 * DPC-kNN into ⌊n_rec/10⌋+1 tokens, inserted right after the kept visual tokens. Positions compact.
 *
 * Schedule (ours, from the v1.5 table): the budgets 64/96/128/192 of 576 give schedule *shapes*
 * (fractions of |V| at 0-based layers 2, 6, 15 of 32); a retention between two budgets
 * interpolates their fractions linearly (above 192: toward no pruning at retention 1; below 64:
 * the 64 shape scaled down). The shape is then scaled by one factor so the layer-averaged visual
 * count — tokens entering each layer, recycled tokens included (issue #33) — is retention·|V|.
 * The paper labels its budgets by that average counted after pruning (issue #35); ours counts what
 * each layer processes, so the same label maps to a slightly smaller schedule here.
 */
import { layerAveragedCount, scheduleAtDepth, solveIncreasing, type ScheduleStage } from './depth';
import { softmaxInto, type Matrix } from './matrix';
import { memoizePure } from './memo';
import { addDividedRow64, rowDots } from './similarity';

/** Indices (into the text tokens) of the raters. */
export function selectRaters(visual: Matrix, text: Matrix): number[] {
  const t = text.rows;
  if (visual.cols !== text.cols) throw new RangeError(`visual width ${visual.cols} ≠ text width ${text.cols}`);
  const relevance = new Float64Array(t);
  const logits = new Float64Array(t);
  const d = visual.cols;
  const dots = rowDots(text); // the text rows are copied into the SIMD kernels once
  const p = new Float64Array(t);
  for (let v = 0; v < visual.rows; v++) {
    dots(visual.data, v * d, logits);
    softmaxInto(logits, p);
    for (let j = 0; j < t; j++) relevance[j]! += p[j]! / visual.rows;
  }
  const mean = relevance.reduce((a, b) => a + b, 0) / Math.max(1, t);
  const raters: number[] = [];
  for (let j = 0; j < t; j++) if (relevance[j]! > mean) raters.push(j);
  return raters;
}

/** Mean over the rater rows of [text × |V|] attention: one score per visual token. */
export function raterScores(textToVisual: Matrix, raters: readonly number[]): Float64Array {
  const out = new Float64Array(textToVisual.cols);
  for (const t of raters) addDividedRow64(out, 0, textToVisual.data, t * textToVisual.cols, out.length, raters.length);
  return out;
}

/** How many deleted tokens are recycled, and into how many clusters. */
export function recycleCounts(deleted: number): { recycled: number; clusters: number } {
  if (deleted <= 0) return { recycled: 0, clusters: 0 };
  const recycled = Math.min(deleted, Math.floor(0.3 * deleted) + 1);
  return { recycled, clusters: Math.min(recycled, Math.floor(recycled / 10) + 1) };
}

/** v1.5 schedules (keep counts after layers 2, 6, 15 of 32, of 576 tokens), by budget. */
export const SPARSEVLM_V15_SCHEDULES: Readonly<Record<number, readonly number[]>> = {
  64: [66, 30, 17],
  96: [238, 48, 26],
  128: [303, 110, 36],
  192: [300, 200, 110],
};
export const SPARSEVLM_PAPER_LAYERS = [2, 6, 15] as const;

/** Schedule shape (fractions of |V|) for a retention, interpolated from the v1.5 table. */
export function sparseVlmShape(retention: number): number[] {
  const points = Object.entries(SPARSEVLM_V15_SCHEDULES)
    .map(([budget, counts]) => ({ r: Number(budget) / 576, f: counts.map((c) => c / 576) }))
    .sort((a, b) => a.r - b.r);
  points.push({ r: 1, f: [1, 1, 1] });
  const first = points[0]!;
  if (retention <= first.r) return first.f.map((f) => (f * Math.max(0, retention)) / first.r);
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1]!;
    const b = points[i]!;
    if (retention <= b.r) {
      const t = (retention - a.r) / (b.r - a.r);
      return a.f.map((fa, s) => fa + (b.f[s]! - fa) * t);
    }
  }
  return [1, 1, 1];
}

/** A stage of the SparseVLM schedule: select `keep`, then recycle into `clusters` extra tokens. */
export interface SparseVlmStage extends ScheduleStage {
  clusters: number;
}

/**
 * Stages at the paper's layers (scaled to depth) whose layer average is retention·|V| (frozen and
 * cached: every run of a sweep binds the method with the same few numbers).
 */
export const sparseVlmSchedule = memoizePure((visualCount: number, retention: number, numLayers: number, recycle: boolean = true) => solveSchedule(visualCount, retention, numLayers, recycle));

function solveSchedule(visualCount: number, retention: number, numLayers: number, recycle: boolean): { stages: SparseVlmStage[]; achievedRetention: number } {
  const shape = sparseVlmShape(retention);
  const build = (scale: number): SparseVlmStage[] => {
    const keeps = shape.map((f) => Math.max(Math.min(1, visualCount), Math.round(Math.min(1, f * scale) * visualCount)));
    let live = visualCount;
    return scheduleAtDepth(SPARSEVLM_PAPER_LAYERS, keeps, 32, numLayers).map((s) => {
      const keep = Math.min(live, s.keep);
      const clusters = recycle ? recycleCounts(live - keep).clusters : 0;
      live = keep + clusters;
      return { layer: s.layer, keep, clusters };
    });
  };
  const average = (scale: number): number =>
    layerAveragedCount(visualCount, build(scale).map((s) => ({ layer: s.layer, keep: s.keep + s.clusters })), numLayers);
  const scale = solveIncreasing(average, retention * visualCount, 0, 64);
  const stages = build(scale);
  return { stages, achievedRetention: average(scale) / visualCount };
}
