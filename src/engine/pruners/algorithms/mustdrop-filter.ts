/**
 * MustDrop, LLM stage — dual-attention filtering during prefill (arXiv 2411.10803). Reference
 * code: github.com/liuting20/MustDrop, `llava/model/language_model/modelling_sparse_llama.py`
 * (`dual_attention_filter`, pruning_layers = [2, 6, 10, 14]). METHODS.md §1c.
 *
 * Needs: after each pruning layer, the head-mean softmax attention of every token after the visual
 * block (T) over the visual columns, each row normalised over *all* keys: M ∈ R^{|T|×|V|}.
 *
 * Filter: g_j = Σ_i M_ij (global), p_j = max_i M_ij (individual). Token j is a drop candidate iff
 * g_j < global_thr·Σ_k g_k AND p_j < individual_thr; keep = non-candidates ∪ key set (ascending).
 *
 * Calibration (ours; the paper tunes thresholds per budget by hand, METHODS.md §1c table): with the
 * paper's threshold *ratio* fixed (global_thr : individual_thr = g0 : p0), token j becomes a
 * candidate exactly when the common scale c exceeds c_j = max(g_j/(g0·Σg), p_j/p0). Ranking the
 * non-key tokens by c_j therefore hits any stage target count exactly; we report the thresholds
 * c·(g0, p0), c midway between the last dropped and the first kept c_j. Tied c_j go by index
 * (a NaN c_j, possible only with a zero threshold, sorts after every number: dropped last).
 * Stage targets: a geometric schedule n_i = max(|key|, round(n₀·qⁱ)) over the pruning layers, q
 * solved so the layer-averaged visual count (tokens entering each layer) equals the target;
 * when even q = 0 cannot reach it (the key set is a floor), the achieved value is reported.
 */
import { layerAveragedCount, solveIncreasing, type ScheduleStage } from './depth';
import { row, type Matrix } from './matrix';
import { memoizePure } from './memo';
import { rankDescending } from './topk';

/** g (column sums) and p (column maxima) of the text→visual attention block. */
export function dualAttentionScores(textToVisual: Matrix): { global: Float64Array; individual: Float64Array } {
  const v = textToVisual.cols;
  const global = new Float64Array(v);
  const individual = new Float64Array(v).fill(textToVisual.rows > 0 ? -Infinity : 0);
  for (let i = 0; i < textToVisual.rows; i++) {
    const r = row(textToVisual, i);
    for (let j = 0; j < v; j++) {
      global[j]! += r[j]!;
      individual[j] = Math.max(individual[j]!, r[j]!);
    }
  }
  return { global, individual };
}

/** The code's filter with fixed thresholds: kept visual positions (ascending), key set always kept. */
export function dualAttentionFilter(textToVisual: Matrix, keySet: readonly number[], globalThr: number, individualThr: number): number[] {
  const { global, individual } = dualAttentionScores(textToVisual);
  const total = global.reduce((a, b) => a + b, 0);
  const isKey = new Set(keySet);
  const keep: number[] = [];
  for (let j = 0; j < global.length; j++) {
    const candidate = global[j]! < globalThr * total && individual[j]! < individualThr;
    if (!candidate || isKey.has(j)) keep.push(j);
  }
  return keep;
}

/** The calibrated filter's outcome at one stage. */
export interface CalibratedFilter {
  keep: number[];
  /** Thresholds that reproduce `keep` with the code's rule (up to ties). */
  globalThr: number;
  individualThr: number;
  /** c_j for every visual position: the scale at which it would become a candidate. */
  criticalScale: Float64Array;
}

/**
 * Keeps `target` visual positions (never fewer than the key set): the key set plus the non-key
 * tokens with the largest c_j. `ratio` is the paper's (global_thr, individual_thr) pair.
 */
export function calibratedDualAttentionFilter(
  textToVisual: Matrix,
  keySet: readonly number[],
  target: number,
  ratio: { globalThr: number; individualThr: number } = { globalThr: 0.001, individualThr: 0.001 },
): CalibratedFilter {
  const { global, individual } = dualAttentionScores(textToVisual);
  const total = global.reduce((a, b) => a + b, 0) || 1;
  const v = global.length;
  const critical = new Float64Array(v);
  for (let j = 0; j < v; j++) critical[j] = Math.max(global[j]! / (ratio.globalThr * total), individual[j]! / ratio.individualThr);
  const isKey = new Uint8Array(v);
  for (const k of keySet) isKey[k] = 1;
  const keyCount = new Set(keySet).size;
  const candidates: number[] = [];
  for (let j = 0; j < v; j++) if (!isKey[j]) candidates.push(j);
  // Ascending c_j, ties by index: the descending rank of −c_j (topk.ts, no comparator callback).
  const nonKey = rankDescending(Float64Array.from(candidates, (j) => -critical[j]!)).map((i) => candidates[i]!);
  const drop = Math.max(0, Math.min(nonKey.length, v - Math.max(target, keyCount)));
  const dropped = new Uint8Array(v);
  for (let i = 0; i < drop; i++) dropped[nonKey[i]!] = 1;
  const keep: number[] = [];
  for (let j = 0; j < v; j++) if (!dropped[j]) keep.push(j);
  const lastDropped = drop > 0 ? critical[nonKey[drop - 1]!]! : 0;
  const firstKept = drop < nonKey.length ? critical[nonKey[drop]!]! : lastDropped * 2 + 1;
  const scale = drop > 0 ? (lastDropped + firstKept) / 2 : 0;
  return { keep, globalThr: scale * ratio.globalThr, individualThr: scale * ratio.individualThr, criticalScale: critical };
}

/**
 * Per-stage keep counts whose layer average (tokens entering each of `numLayers` layers) is
 * `targetAverage`, for `initial` tokens entering the LLM, pruning after `layers`, never below
 * `floor` (the key set). Returns the schedule and the average it achieves (frozen: the plan is
 * cached, because the hook plans it on every run from the same few integers).
 */
export const mustDropStageTargets = memoizePure(solveStageTargets);

function solveStageTargets(
  initial: number,
  layers: readonly number[],
  numLayers: number,
  targetAverage: number,
  floor: number,
): { stages: ScheduleStage[]; achieved: number } {
  const build = (q: number): ScheduleStage[] => {
    const stages: ScheduleStage[] = [];
    for (let i = 0; i < layers.length; i++) stages.push({ layer: layers[i]!, keep: Math.min(initial, Math.max(floor, Math.round(initial * q ** (i + 1)))) });
    return stages;
  };
  const average = (q: number): number => layerAveragedCount(initial, build(q), numLayers);
  const q = solveIncreasing(average, targetAverage, 0, 1);
  const stages = build(q);
  return { stages, achieved: layerAveragedCount(initial, stages, numLayers) };
}
