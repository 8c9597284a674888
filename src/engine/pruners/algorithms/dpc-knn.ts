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
 */
import type { Matrix } from './matrix';
import { rankDescending } from './topk';

export interface Clustering {
  /** Center token indices, in score order. */
  centers: number[];
  /** For every token, the cluster (index into centers) it joined. */
  assignment: Int32Array;
}

/** Σ (x[a+c] − x[b+c])², in order. */
function squaredDistance(x: Float32Array, a: number, b: number, d: number): number {
  let s = 0;
  for (let c = 0; c < d; c++) s += (x[a + c]! - x[b + c]!) ** 2;
  return s;
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
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const dd = Math.sqrt(squaredDistance(x.data, i * d, j * d, d)) / scale;
      dist[i * n + j] = dd;
      dist[j * n + i] = dd;
      maxDist = Math.max(maxDist, dd);
    }
  }
  const density = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    // Distances are ≥ +0 and never NaN for finite inputs, where the native numeric sort orders them as (a, b) => a − b.
    const nearest = Array.from(dist.slice(i * n, (i + 1) * n).sort().subarray(0, clusters));
    density[i] = Math.exp(-nearest.reduce((s, v) => s + v * v, 0) / nearest.length);
  }
  const denser = (j: number, i: number): boolean => density[j]! > density[i]! || (density[j] === density[i] && j < i);
  const score = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let delta = maxDist;
    for (let j = 0; j < n; j++) if (j !== i && denser(j, i)) delta = Math.min(delta, dist[i * n + j]!);
    score[i] = delta * density[i]!;
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
