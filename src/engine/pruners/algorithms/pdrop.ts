/**
 * PyramidDrop (arXiv 2410.17247, CVPR'25). Reference code: github.com/Cooperx521/PyramidDrop,
 * `llava/model/modeling_llama_pdrop.py` (`pdrop_forward`, `pdrop_rank_drop`). METHODS.md §8.6.
 *
 * Needs: at each pruning layer, the LAST instruction token's query computed with the NEXT layer's
 * input RMSNorm, q/k projections and RoPE, attending over the visual keys (head mean).
 *
 * Schedule: prune after 1-based layers 8, 16, 24 (0-based 7, 15, 23 of 32) to λ, λ², λ³ of the
 * ORIGINAL count (λ = 0.5: 576 → 288 → 144 → 72), top-k by that score, compact positions (P2).
 * On other depths the cuts sit at the same fractions of depth (after 8/32, 16/32, 24/32 of the
 * layers; depth.ts `cutAfter`).
 *
 * Retention mapping (ours): retention r means a layer-averaged visual count of r·|V| (tokens
 * entering each layer), the equivalent-token meaning of a progressive method. λ ∈ [0, 1] is
 * solved by bisection so the schedule's layer average is as close to r·|V| as the rounding of the
 * counts allows; λ = 0.5 on 32 layers gives (8·576 + 8·288 + 8·144 + 8·72)/32 = 270 of 576, so
 * retention ≈ 0.469 reproduces the paper's default. Counts use round(|V|·λⁱ), at least 1.
 */
import { layerAveragedCount, scheduleAtDepth, solveIncreasing, type ScheduleStage } from './depth';

/** The paper's 0-based pruning layers on its 32-layer decoder. */
export const PDROP_PAPER_LAYERS = [7, 15, 23] as const;

/** Stage counts round(|V|·λⁱ), i = 1..3, at the paper's layers scaled to `numLayers`. */
export function pdropSchedule(visualCount: number, lambda: number, numLayers: number): ScheduleStage[] {
  // At least one token per stage: an empty visual block is ToDRE's stage 2, not a schedule.
  const counts = PDROP_PAPER_LAYERS.map((_, i) => Math.max(Math.min(1, visualCount), Math.round(visualCount * lambda ** (i + 1))));
  return scheduleAtDepth(PDROP_PAPER_LAYERS, counts, 32, numLayers);
}

/** λ whose schedule's layer-averaged count is retention·|V| (see header), and what it achieves. */
export function pdropLambdaForRetention(visualCount: number, retention: number, numLayers: number): { lambda: number; achievedRetention: number } {
  const average = (lambda: number): number => layerAveragedCount(visualCount, pdropSchedule(visualCount, lambda, numLayers), numLayers);
  const lambda = solveIncreasing(average, retention * visualCount, 0, 1);
  return { lambda, achievedRetention: average(lambda) / visualCount };
}
