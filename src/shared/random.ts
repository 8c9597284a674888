/**
 * The project's one small seeded PRNG (mulberry32), used where a stream must be reproducible from
 * a seed: random pruning, tiny random checkpoints, tests. (The Shapes benchmark keeps its own sfc32
 * generator in src/engine/bench/prng.ts: its streams define the committed test split.)
 */

/** Uniform numbers in [0, 1) from `seed`; the same seed always gives the same stream. */
export function seededUniform(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
