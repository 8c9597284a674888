/**
 * DivPrune — diversity-based visual token pruning (arXiv 2503.02175, CVPR'25).
 * Reference code: github.com/vbdi/divprune, `LLaVA/llava/model/llava_arch.py` (`DivPrune`,
 * `pairwise_cosine_similarity`). METHODS.md §8.4.
 *
 * Needs: the post-projector visual embeddings (the LLM input), nothing else.
 *
 * Algorithm (as the code): D = 1 − cos(x_i, x_j). First pick the token whose nearest neighbour is
 * farthest (the second-smallest entry of its column; the smallest is itself, 0). Then repeatedly
 * add the token whose minimum distance to the selected set is largest (max-min diversity).
 * k = round(ratio·N); kept tokens go back to original order; the LLM starts on the shorter
 * sequence, so positions are compact.
 *
 * Our choices: ties go to the lower index (the code's argmax does the same). With our meaning of
 * retention, ratio = retention. For k = N the selection is the identity.
 */
import { cosineMatrix, type Matrix } from './matrix';

/** Number of tokens DivPrune keeps: round(ratio·n), at least 1 when n > 0. */
export function divPruneCount(n: number, ratio: number): number {
  return n === 0 ? 0 : Math.min(n, Math.max(1, Math.round(ratio * n)));
}

/**
 * Max-min diverse subset of the rows of `features` of size `k`, in selection order (the first
 * element is the argmax nearest-neighbour distance). Sort it for the gather order.
 */
export function divPruneSelect(features: Matrix, k: number): number[] {
  const n = features.rows;
  const count = Math.max(0, Math.min(n, k));
  if (count === 0) return [];
  const sim = cosineMatrix(features).data;
  const dist = (i: number, j: number): number => 1 - sim[i * n + j]!;
  // First pick: the token whose nearest other token is farthest away.
  let first = 0;
  let bestNearest = -Infinity;
  for (let j = 0; j < n; j++) {
    let nearest = Infinity;
    for (let i = 0; i < n; i++) if (i !== j) nearest = Math.min(nearest, dist(i, j));
    if (n === 1) nearest = 0;
    if (nearest > bestNearest) {
      bestNearest = nearest;
      first = j;
    }
  }
  const selected = [first];
  const chosen = new Uint8Array(n);
  chosen[first] = 1;
  // minDist[j] = distance from j to the selected set, updated incrementally: O(k·n).
  const minDist = new Float64Array(n);
  for (let j = 0; j < n; j++) minDist[j] = dist(first, j);
  while (selected.length < count) {
    let pick = -1;
    let best = -Infinity;
    for (let j = 0; j < n; j++) {
      if (!chosen[j] && minDist[j]! > best) {
        best = minDist[j]!;
        pick = j;
      }
    }
    selected.push(pick);
    chosen[pick] = 1;
    for (let j = 0; j < n; j++) minDist[j] = Math.min(minDist[j]!, dist(pick, j));
  }
  return selected;
}
