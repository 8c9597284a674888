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
 * retention, ratio = retention. For k = N the selection is the identity. In a run the cosine
 * matrix comes from the projector graph (its `cosine` probe, ORT's GEMM; within ~1e-6 of
 * `cosineMatrix`, so only near-exact ties can resolve differently from the JS kernel).
 */
import { cosineMatrix, type Matrix } from './matrix';
import { bestUnchosen } from './topk';

/** Number of tokens DivPrune keeps: round(ratio·n), at least 1 when n > 0. */
export function divPruneCount(n: number, ratio: number): number {
  return n === 0 ? 0 : Math.min(n, Math.max(1, Math.round(ratio * n)));
}

/**
 * min over i ≠ j of 1 − sim[j, i]: token j's distance to its nearest other token. Row j is read
 * (the matrix is symmetric, both halves hold the same float32 values); a helper per column so the
 * n² loop runs optimised.
 */
function nearestDistance(sim: Float32Array, n: number, j: number): number {
  let nearest = Infinity;
  const at = j * n;
  for (let i = 0; i < n; i++) if (i !== j) nearest = Math.min(nearest, 1 - sim[at + i]!);
  return nearest;
}

/** minDist[j] = min(minDist[j], 1 − sim[at + j]) for every j: one picked token's row. */
function lowerToDistances(minDist: Float64Array, sim: Float32Array, at: number): void {
  for (let j = 0; j < minDist.length; j++) minDist[j] = Math.min(minDist[j]!, 1 - sim[at + j]!);
}

/**
 * Max-min diverse subset of the rows of `features` of size `k`, in selection order (the first
 * element is the argmax nearest-neighbour distance). Sort it for the gather order. `cosine`, when
 * given, is the rows' cosine matrix [n × n] (the projector graph's probe), used instead of
 * computing it here.
 */
export function divPruneSelect(features: Matrix, k: number, cosine?: Matrix): number[] {
  const n = features.rows;
  if (cosine && (cosine.rows !== n || cosine.cols !== n)) throw new RangeError(`a ${cosine.rows}×${cosine.cols} cosine matrix for ${n} tokens`);
  const count = Math.max(0, Math.min(n, k));
  if (count === 0) return [];
  // The first pick needs every token's nearest neighbour, hence the full matrix.
  const sim = (cosine ?? cosineMatrix(features)).data;
  // First pick: the token whose nearest other token is farthest away.
  let first = 0;
  let bestNearest = -Infinity;
  for (let j = 0; j < n; j++) {
    const nearest = n === 1 ? 0 : nearestDistance(sim, n, j);
    if (nearest > bestNearest) {
      bestNearest = nearest;
      first = j;
    }
  }
  const selected = [first];
  const chosen = new Uint8Array(n);
  chosen[first] = 1;
  // minDist[j] = distance from j to the selected set, updated incrementally: O(k·n).
  const minDist = new Float64Array(n).fill(Infinity);
  lowerToDistances(minDist, sim, first * n);
  while (selected.length < count) {
    const pick = bestUnchosen(minDist, chosen, 'max');
    selected.push(pick);
    chosen[pick] = 1;
    lowerToDistances(minDist, sim, pick * n);
  }
  return selected;
}
