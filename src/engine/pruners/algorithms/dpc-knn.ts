/**
 * DPC-kNN clustering (density peaks with k-nearest-neighbour density), as SparseVLM's
 * `cluster_and_merge` uses it to recycle deleted tokens (its copy comes from TCFormer).
 * Reference: github.com/Gumpest/SparseVLMs, `llava/model/language_model/utils.py`. METHODS.md §8.3.
 *
 * dist_ij = ‖x_i − x_j‖/√C; density_i = exp(−mean of the squared distances to its k nearest
 * tokens, itself included), k = the cluster count; δ_i = distance to the nearest token of higher
 * density (the largest distance overall for the densest token); centers = top-k of δ·density;
 * every token joins its nearest center (a center joins itself); a cluster's token is the mean.
 *
 * Deviation: the code adds uniform noise ·1e-6 to the densities to break ties; we break them by
 * index (the lower index counts as denser), which keeps runs deterministic.
 *
 * Distances are computed the way the code's torch.cdist computes them by default: from the
 * differences for up to 25 rows, and above that from the Gram matrix, ‖a‖² + ‖b‖² − 2a·b (clamped
 * at 0; our WebAssembly SIMD Gram kernel), which is what keeps SparseVLM's recycling cheap at
 * LLaVA's scale (~80 tokens of width 4096 per stage).
 */
import type { Matrix } from './matrix';
import { gram } from './similarity';
import { rankDescending } from './topk';

/** Rows above which torch.cdist's default mode (use_mm_for_euclid_dist_if_necessary) switches to the Gram form. */
export const CDIST_MM_ABOVE = 25;

export interface Clustering {
  /** Center token indices, in score order. */
  centers: number[];
  /** For every token, the cluster (index into centers) it joined. */
  assignment: Int32Array;
}

/** Σ (x[a+c] − x[b+c])², in order. */
function squaredDistance(x: Float32Array, a: number, b: number, d: number): number {
  let s = 0;
  for (let c = 0; c < d; c++) {
    const t = x[a + c]! - x[b + c]!;
    s += t * t; // the same double as t ** 2, without the exponentiation call
  }
  return s;
}

/**
 * The mean of the squares of the `k` smallest of row[from..from+n), summed in ascending order
 * (as a full sort's first k would be) but found with a bounded insertion pass: O(n·k) worst case,
 * about n comparisons when k ≪ n, instead of sorting every row.
 */
function meanSquareOfSmallest(row: Float64Array, from: number, n: number, k: number, buf: Float64Array): number {
  let filled = 0;
  for (let j = from; j < from + n; j++) {
    const v = row[j]!;
    if (filled === k && !(v < buf[k - 1]!)) continue;
    let at = filled < k ? filled++ : k - 1;
    while (at > 0 && v < buf[at - 1]!) {
      buf[at] = buf[at - 1]!;
      at--;
    }
    buf[at] = v;
  }
  let s = 0;
  for (let i = 0; i < k; i++) s += buf[i]! * buf[i]!;
  return s / k;
}

/** Clusters the rows of `x` into `k` clusters (k clamped to [1, n]). */
export function dpcKnn(x: Matrix, k: number): Clustering {
  const n = x.rows;
  if (n === 0) return { centers: [], assignment: new Int32Array(0) };
  const clusters = Math.max(1, Math.min(n, Math.floor(k)));
  const scale = Math.sqrt(x.cols);
  const dist = new Float64Array(n * n);
  let maxDist = 0;
  const d = x.cols;
  const g = n > CDIST_MM_ABOVE ? gram(x).data : null;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const sq = g ? Math.max(0, g[i * n + i]! + g[j * n + j]! - 2 * g[i * n + j]!) : squaredDistance(x.data, i * d, j * d, d);
      const dd = Math.sqrt(sq) / scale;
      dist[i * n + j] = dd;
      dist[j * n + i] = dd;
      maxDist = Math.max(maxDist, dd);
    }
  }
  const density = new Float64Array(n);
  const smallest = new Float64Array(clusters);
  // Distances are ≥ +0 and never NaN for finite inputs, so "smaller" is the usual numeric order.
  for (let i = 0; i < n; i++) density[i] = Math.exp(-meanSquareOfSmallest(dist, i * n, n, clusters, smallest));
  const score = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let delta = maxDist;
    const di = density[i]!;
    for (let j = 0; j < n; j++) {
      // j is denser than i: a higher density, or the same and a lower index.
      if (j !== i && (density[j]! > di || (density[j] === di && j < i))) delta = Math.min(delta, dist[i * n + j]!);
    }
    score[i] = delta * di;
  }
  const centers = rankDescending(score).slice(0, clusters);
  const assignment = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < centers.length; c++) if (dist[i * n + centers[c]!]! < dist[i * n + centers[best]!]!) best = c;
    assignment[i] = best;
  }
  centers.forEach((center, c) => (assignment[center] = c));
  return { centers, assignment };
}
