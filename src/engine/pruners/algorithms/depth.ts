/**
 * Layer parameters as fractions of depth. The papers tune their layers on 32-layer decoders
 * (24-layer ViTs); on a model of another depth each layer parameter defaults to the same fraction
 * of depth (METHODS.md, preamble).
 */

/**
 * The layer at `fraction` of a `numLayers`-deep stack: round(fraction·numLayers), at least 1 and
 * at most numLayers−1, so a "prune after layer ℓ" always leaves at least one layer before and one
 * after. FastV's K=2 of 32 is fraction 2/32: 2 on 32 layers, 1 on 8.
 */
export function layerAt(fraction: number, numLayers: number): number {
  if (!(numLayers >= 2) || !Number.isInteger(numLayers)) throw new RangeError(`need an integer depth ≥ 2, got ${numLayers}`);
  if (!(fraction >= 0 && fraction <= 1)) throw new RangeError(`a depth fraction is in [0, 1], got ${fraction}`);
  return Math.min(numLayers - 1, Math.max(1, Math.round(fraction * numLayers)));
}

/**
 * Where "prune after 0-based layer ℓ of a `paperDepth`-layer decoder" falls on `numLayers` layers.
 * The cut sits at depth (ℓ+1)/paperDepth — after ℓ+1 full layers — so the number of full layers
 * scales (layerAt, at least 1), and the cut is after the last of them: identity on the paper's
 * depth, never the last layer. Scaling ℓ itself instead would move every cut later by up to one
 * layer, which on an 8-layer decoder costs an eighth of the depth.
 */
export function cutAfter(paperLayer: number, paperDepth: number, numLayers: number): number {
  return layerAt((paperLayer + 1) / paperDepth, numLayers) - 1;
}

/** A multi-stage schedule: after 0-based layer `layer`, keep `keep` visual tokens. */
export interface ScheduleStage {
  layer: number;
  keep: number;
}

/**
 * Maps paper layers (0-based, on `paperDepth` layers) to a model of `numLayers`, one stage per
 * distinct layer. Stages that land on the same layer on a shallow model collapse into one that
 * applies the last (smallest) count, so the final count is always honoured.
 */
export function scheduleAtDepth(paperLayers: readonly number[], counts: readonly number[], paperDepth: number, numLayers: number): ScheduleStage[] {
  if (paperLayers.length !== counts.length) throw new RangeError(`${paperLayers.length} layers but ${counts.length} counts`);
  const stages: ScheduleStage[] = [];
  paperLayers.forEach((paperLayer, i) => {
    const layer = cutAfter(paperLayer, paperDepth, numLayers);
    const last = stages[stages.length - 1];
    if (last && last.layer >= layer) last.keep = counts[i]!;
    else stages.push({ layer, keep: counts[i]! });
  });
  return stages;
}

/**
 * Mean over `numLayers` decoder layers of the visual tokens *entering* each layer, when `initial`
 * enter layer 0 and each stage prunes to `keep` after its layer (the trace's 'entering' count).
 */
export function layerAveragedCount(initial: number, stages: readonly ScheduleStage[], numLayers: number): number {
  let sum = 0;
  // Indexed loops: MustDrop solves its schedule at run time, ~60 evaluations of this in one hook.
  for (let l = 0; l < numLayers; l++) {
    let count = initial;
    for (let i = 0; i < stages.length; i++) if (stages[i]!.layer < l) count = stages[i]!.keep;
    sum += count;
  }
  return sum / numLayers;
}

/**
 * Solves f(x) = target for a non-decreasing f on [lo, hi] by bisection (60 halvings: below float
 * resolution for any sane interval). Returns the end point when the target is out of range.
 */
export function solveIncreasing(f: (x: number) => number, target: number, lo: number, hi: number): number {
  if (f(lo) >= target) return lo;
  if (f(hi) <= target) return hi;
  let a = lo;
  let b = hi;
  for (let i = 0; i < 60; i++) {
    const mid = (a + b) / 2;
    if (f(mid) < target) a = mid;
    else b = mid;
  }
  return (a + b) / 2;
}
