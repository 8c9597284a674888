/**
 * Random pruning baseline: keep a uniformly random subset of round(retention·N) visual tokens,
 * in original order, before the LLM. Seeded, so a run is reproducible; the same seed and sizes
 * always give the same subset.
 */

import { seededUniform } from '../../../shared/random';

/** `k` distinct indices of 0..n−1 chosen uniformly (partial Fisher–Yates), ascending. */
export function randomSubset(n: number, k: number, seed: number): number[] {
  const count = Math.max(0, Math.min(n, Math.round(k)));
  const next = seededUniform(seed);
  // Typed array, swaps through a temporary and a native numeric sort: this runs once per answer,
  // in the interpreter, where every closure call and temporary array costs.
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(next() * (n - i));
    const swap = idx[i]!;
    idx[i] = idx[j]!;
    idx[j] = swap;
  }
  return Array.from(idx.subarray(0, count).sort());
}
