/**
 * Top-k selection with stable tie-breaking: among equal scores the lower index wins, so a
 * selection never depends on the sort implementation or on float noise in the order of equal
 * values. Every score-based method (FastV, PDrop, TransPrune, SparseVLM, VisionZip, …) selects
 * through here, which makes runs deterministic and tests exact.
 */

/** Indices 0..n−1 sorted by descending score, ties by ascending index. NaN sorts last. */
export function rankDescending(scores: ArrayLike<number>): number[] {
  const idx = Array.from({ length: scores.length }, (_, i) => i);
  const key = (i: number): number => {
    const s = scores[i]!;
    return Number.isNaN(s) ? -Infinity : s;
  };
  return idx.sort((a, b) => key(b) - key(a) || a - b);
}

/**
 * The `k` highest-scoring indices. `order: 'rank'` returns them best first; 'ascending' (the
 * default) returns them in original order, which is how most reference codes gather kept tokens.
 * k is clamped to [0, n].
 */
export function topK(scores: ArrayLike<number>, k: number, order: 'ascending' | 'rank' = 'ascending'): number[] {
  const n = scores.length;
  const count = Math.max(0, Math.min(n, Math.floor(k)));
  const best = rankDescending(scores).slice(0, count);
  return order === 'rank' ? best : best.sort((a, b) => a - b);
}

/** Indices 0..n−1 that are not in `kept` (ascending). */
export function complement(n: number, kept: readonly number[]): number[] {
  const mask = new Uint8Array(n);
  for (const i of kept) mask[i] = 1;
  const out: number[] = [];
  for (let i = 0; i < n; i++) if (!mask[i]) out.push(i);
  return out;
}
