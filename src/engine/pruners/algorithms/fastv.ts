/**
 * FastV (arXiv 2403.06764, ECCV'24). Reference code: github.com/pkunlp-icler/FastV,
 * `src/transformers/.../modeling_llama.py` (inplace mode) and `src/FastV/llava-hf/...`
 * (`fastv_forward`, KV-cache variant). METHODS.md §8.1.
 *
 * Needs: at decoder layer K−1, the head-mean softmax attention row of the LAST prompt token over
 * the visual columns (normalised over all keys). The code uses the last token (issue #14), not the
 * average the paper's text describes; we follow the code.
 *
 * Keep the top round((1−R)·|V|) visual tokens, sorted ascending; layers K..L−1 run on the shorter
 * sequence with original position ids (P1). With our retention (fraction kept) that is
 * round(retention·|V|). Paper default K = 2 of 32 layers, i.e. after 0-based layer 1.
 */
import { layerAt } from './depth';
import { topK } from './topk';

/** Number of visual tokens FastV keeps: round(retention·|V|). */
export function fastvKeepCount(visualCount: number, retention: number): number {
  return Math.min(visualCount, Math.max(0, Math.round(retention * visualCount)));
}

/** FastV's K (the number of unpruned layers) on a `numLayers`-deep model: the paper's 2/32 of depth. */
export function fastvK(numLayers: number, paperK = 2, paperDepth = 32): number {
  return layerAt(paperK / paperDepth, numLayers);
}

/** Kept visual positions (ascending) from the last token's attention over the visual columns. */
export function fastvSelect(lastTokenAttention: ArrayLike<number>, retention: number): number[] {
  return topK(lastTokenAttention, fastvKeepCount(lastTokenAttention.length, retention));
}
