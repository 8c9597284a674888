/**
 * Top-k selection with stable tie-breaking: among equal scores the lower index wins, so a
 * selection never depends on the sort implementation or on float noise in the order of equal
 * values. Every score-based method (FastV, PDrop, TransPrune, SparseVLM, VisionZip, …) selects
 * through here, which makes runs deterministic and tests exact.
 */

/** The sort keys: the scores as float64, NaN as −∞ (so it sorts last). */
function sortKeys(scores: ArrayLike<number>): Float64Array {
  const keys = Float64Array.from(scores);
  // The native includes (SameValueZero finds NaN) spares the loop when there is none, as usual.
  if (keys.includes(NaN)) for (let i = 0; i < keys.length; i++) if (keys[i] !== keys[i]) keys[i] = -Infinity;
  return keys;
}

/** True when index a goes before index b: a larger key, or an equal key and a lower index. */
function before(keys: Float64Array, a: number, b: number): boolean {
  const ka = keys[a]!;
  const kb = keys[b]!;
  return ka > kb || (ka === kb && a < b);
}

/**
 * Sorts `idx` in place by descending key, ties by ascending index: one strict total order, so any
 * correct sort gives the same result. No comparator callback (Array.prototype.sort calls one per
 * comparison, slow in a hook that runs once per answer): insertion sort for short lists, a
 * bottom-up merge sort above that.
 */
function sortByKey(idx: number[], keys: Float64Array): number[] {
  const n = idx.length;
  if (n <= 32) {
    for (let i = 1; i < n; i++) {
      const v = idx[i]!;
      let j = i - 1;
      while (j >= 0 && before(keys, v, idx[j]!)) {
        idx[j + 1] = idx[j]!;
        j--;
      }
      idx[j + 1] = v;
    }
    return idx;
  }
  let from = Int32Array.from(idx);
  let to = new Int32Array(n);
  for (let width = 1; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(lo + width, n);
      const hi = Math.min(lo + 2 * width, n);
      let i = lo;
      let j = mid;
      for (let k = lo; k < hi; k++) to[k] = i < mid && (j >= hi || !before(keys, from[j]!, from[i]!)) ? from[i++]! : from[j++]!;
    }
    [from, to] = [to, from];
  }
  for (let i = 0; i < n; i++) idx[i] = from[i]!;
  return idx;
}

/** Indices 0..n−1 sorted by descending score, ties by ascending index. NaN sorts last. */
export function rankDescending(scores: ArrayLike<number>): number[] {
  const keys = sortKeys(scores);
  return sortByKey(Array.from({ length: keys.length }, (_, i) => i), keys);
}

/**
 * The `k` highest-scoring indices. `order: 'rank'` returns them best first; 'ascending' (the
 * default) returns them in original order, which is how most reference codes gather kept tokens.
 * k is clamped to [0, n]. The same set and order as the first k of rankDescending, found without
 * ranking all n: the k-th largest key t comes from a native numeric sort; every index above t is in,
 * and the indices equal to t fill the rest by ascending index (the tie rule).
 */
export function topK(scores: ArrayLike<number>, k: number, order: 'ascending' | 'rank' = 'ascending'): number[] {
  const n = scores.length;
  const count = Math.max(0, Math.min(n, Math.floor(k)));
  if (count === 0) return [];
  const keys = sortKeys(scores);
  const sorted = keys.slice().sort();
  const t = sorted[n - count]!;
  // Keys above t are the ones after t's last occurrence in the ascending sort (lastIndexOf uses
  // ===, like the comparisons below, so −0 and +0 count as one value there too).
  const above = n - 1 - sorted.lastIndexOf(t);
  let ties = count - above;
  const best: number[] = [];
  for (let i = 0; i < n; i++) {
    const key = keys[i]!;
    if (key > t) best.push(i);
    else if (key === t && ties > 0) {
      best.push(i);
      ties--;
    }
  }
  return order === 'rank' ? sortByKey(best, keys) : best;
}

/**
 * The `k` best indices other than `exclude`, best first (ties by ascending index, NaN as −∞):
 * rankDescending over the other indices, cut to k. One pass that keeps the best k seen so far in
 * rank order, so a candidate costs one comparison with the current k-th unless it gets in: for
 * k ≪ n (PruMerge+ asks for 32 neighbours of each kept token, 576 scores each at LLaVA's scale) it
 * beats sorting all n scores once per call.
 */
export function topKRankExcluding(scores: ArrayLike<number>, k: number, exclude: number): number[] {
  const n = scores.length;
  const count = Math.max(0, Math.min(n - 1, Math.floor(k)));
  const best = new Int32Array(count);
  const bestKey = new Float64Array(count);
  let filled = 0;
  for (let i = 0; i < n && count > 0; i++) {
    if (i === exclude) continue;
    let key = +scores[i]!;
    if (key !== key) key = -Infinity;
    // Indices come in ascending order, so an equal key never goes before one already held.
    if (filled === count && !(key > bestKey[count - 1]!)) continue;
    let j = filled < count ? filled++ : count - 1;
    while (j > 0 && key > bestKey[j - 1]!) {
      best[j] = best[j - 1]!;
      bestKey[j] = bestKey[j - 1]!;
      j--;
    }
    best[j] = i;
    bestKey[j] = key;
  }
  return Array.from(best.subarray(0, filled));
}

/**
 * The first index v with !chosen[v] whose score is strictly below (`'min'`) or above (`'max'`)
 * every earlier one — the lowest index among ties; −1 when none qualifies. The greedy loops of
 * DivPrune and ToDRE call this once per pick, so it runs optimised even when they do not.
 */
export function bestUnchosen(score: Float64Array, chosen: Uint8Array, want: 'min' | 'max'): number {
  let best = -1;
  if (want === 'min') {
    let bestScore = Infinity;
    for (let v = 0; v < score.length; v++) {
      if (!chosen[v] && score[v]! < bestScore) {
        bestScore = score[v]!;
        best = v;
      }
    }
  } else {
    let bestScore = -Infinity;
    for (let v = 0; v < score.length; v++) {
      if (!chosen[v] && score[v]! > bestScore) {
        bestScore = score[v]!;
        best = v;
      }
    }
  }
  return best;
}

/** Indices 0..n−1 that are not in `kept` (ascending). */
export function complement(n: number, kept: readonly number[]): number[] {
  const mask = new Uint8Array(n);
  for (const i of kept) mask[i] = 1;
  const out: number[] = [];
  for (let i = 0; i < n; i++) if (!mask[i]) out.push(i);
  return out;
}
