/**
 * The token trace: what a compression method did to every visual token of one run.
 *
 * Identity. The original visual tokens of a run are numbered 0..N−1 in frame-major raster order,
 * `id = (frame·rows + row)·cols + col` (the order the projector emits them). A merge creates a new
 * token, a *group*, numbered N, N+1, … in creation order; a group lists the live tokens it
 * absorbed, which may themselves be groups. A "live" token is one present in the visual part of the
 * sequence at that point.
 *
 * Steps. A trace is a list of steps in run order (stages vit → vision → llm → kv; ViT and decoder
 * layers non-decreasing inside their stage; ViT steps go frame by frame). Each step records the tokens it dropped (with the
 * score that decided it, when there is one), the groups it created, and the live visual sequence
 * after it, in sequence order (`order`) — which makes stage-by-stage replays a lookup. An `llm`
 * step at layer ℓ happens after decoder layer ℓ, so it changes what enters layer ℓ+1.
 *
 * Counts. `layers[ℓ]` is the number of visual and of all tokens *entering* decoder layer ℓ.
 * `equivalentTokens` (METHODS.md §9) averages the visual count over layers.
 *
 * The builder that produces traces while a run proceeds lives in `trace-builder.ts`.
 */
import { z } from 'zod';

/** Where in the model a step acts (ARCHITECTURE.md, Pruners). */
export const TraceStage = z.enum(['vit', 'vision', 'llm', 'kv']);
export type TraceStage = z.infer<typeof TraceStage>;

/** Run order of the stages; steps of a trace never go back in this order. */
export const STAGE_ORDER: readonly TraceStage[] = ['vit', 'vision', 'llm', 'kv'];

/**
 * RoPE position ids after pruning (METHODS.md §0): P1 'original' keeps each token's original
 * position, P2 'compact' renumbers 0..n'−1, P3 'per-layer' makes each layer's decode position its
 * own KV length.
 */
export const PositionConvention = z.enum(['original', 'compact', 'per-layer']);
export type PositionConvention = z.infer<typeof PositionConvention>;

const Count = z.number().int().nonnegative();

/** The visual-token grid of the input: one rows×cols grid per frame (frames = 1 for an image). */
export const TraceGrid = z.object({
  frames: z.number().int().positive(),
  rows: z.number().int().positive(),
  cols: z.number().int().positive(),
});
export type TraceGrid = z.infer<typeof TraceGrid>;

/** A token removed by a step, with the score that decided it (absent for e.g. random drops). */
export const DroppedToken = z.object({ id: Count, score: z.number().optional() });
export type DroppedToken = z.infer<typeof DroppedToken>;

/** A token created by merging live tokens. `at` is the member whose slot holds the result. */
export const MergeGroup = z.object({
  id: Count,
  /** Human name of the merged token, e.g. 'window 3', 'contextual 7', 'pruned-sum'. */
  name: z.string(),
  members: z.array(Count).min(1),
  at: Count.optional(),
  /** Index of the step that created it. */
  step: Count,
});
export type MergeGroup = z.infer<typeof MergeGroup>;

/** One action of the method at one place in the model. */
export const TraceStep = z.object({
  stage: TraceStage,
  /** ViT layer (vit) or decoder layer (llm) after which the step acts. */
  layer: Count.optional(),
  /** vit steps: the frame they act on (the ViT encodes frame by frame). */
  frame: Count.optional(),
  /** What happened, for people: 'FastV top-k', 'MustDrop 3×3 merge', … */
  label: z.string(),
  dropped: z.array(DroppedToken),
  /** Ids of the groups this step created. */
  created: z.array(Count),
  /** Live visual tokens after the step, in sequence order. */
  order: z.array(Count),
  /** kv steps: the decoder layers whose caches were compacted, inclusive. */
  kvLayers: z.object({ from: Count, to: Count }).optional(),
});
export type TraceStep = z.infer<typeof TraceStep>;

/** Tokens entering one decoder layer during prefill. */
export const LayerCount = z.object({ visual: Count, total: Count });
export type LayerCount = z.infer<typeof LayerCount>;

export const TokenTrace = z.object({
  version: z.literal(1),
  grid: TraceGrid,
  positions: PositionConvention,
  groups: z.array(MergeGroup),
  steps: z.array(TraceStep),
  layers: z.array(LayerCount),
});
export type TokenTrace = z.infer<typeof TokenTrace>;

/**
 * What a run result says about its compression method: resolved parameters, how retention is met,
 * the planned and achieved retention, equivalent tokens, and the trace. The contract's run
 * results can embed it as is.
 */
export const PruningReport = z.object({
  method: z.string().min(1),
  params: z.record(z.string(), z.unknown()),
  /** 'kept': fraction left at the (first) pruning point; 'layer-average': equivalent tokens / N. */
  retentionMeaning: z.enum(['kept', 'layer-average']),
  plannedRetention: z.number().min(0).max(1).optional(),
  achievedRetention: z.number().min(0).max(1),
  /** Mean over decoder layers of the visual tokens entering them (METHODS.md §9). */
  equivalentTokens: z.number().nonnegative(),
  /** Why planned and requested differ, when they do. */
  note: z.string().optional(),
  trace: TokenTrace,
});
export type PruningReport = z.infer<typeof PruningReport>;

/** Where an original token sits in the input. */
export interface TokenOrigin {
  index: number;
  frame: number;
  row: number;
  col: number;
}

/** What became of one original token after a given step. */
export type TokenFate =
  | { kind: 'kept' }
  | { kind: 'merged'; group: number; name: string }
  | { kind: 'dropped'; step: number; stage: TraceStage; layer?: number; score?: number };

/** Number of original visual tokens of a grid (frames·rows·cols). */
export function originalTokenCount(grid: TraceGrid): number {
  return grid.frames * grid.rows * grid.cols;
}

/** Frame, row and column of original token `index`; throws when it is not an original token. */
export function originOf(grid: TraceGrid, index: number): TokenOrigin {
  if (!Number.isInteger(index) || index < 0 || index >= originalTokenCount(grid)) {
    throw new RangeError(`token ${index} is not an original token of a ${grid.frames}×${grid.rows}×${grid.cols} grid`);
  }
  const perFrame = grid.rows * grid.cols;
  const frame = Math.floor(index / perFrame);
  const inFrame = index - frame * perFrame;
  return { index, frame, row: Math.floor(inFrame / grid.cols), col: inFrame % grid.cols };
}

/**
 * Live visual tokens after step `stepIndex`, in sequence order; `-1` means before any step (all
 * original tokens in raster order).
 */
export function keptAt(trace: TokenTrace, stepIndex: number): readonly number[] {
  if (stepIndex === -1) return Array.from({ length: originalTokenCount(trace.grid) }, (_, i) => i);
  const step = trace.steps[stepIndex];
  if (!step) throw new RangeError(`step ${stepIndex} does not exist (the trace has ${trace.steps.length} steps)`);
  return step.order;
}

/** The original tokens a live token stands for: itself, or every original inside its group. */
export function originalsOf(trace: TokenTrace, id: number): number[] {
  const n = originalTokenCount(trace.grid);
  if (id < n) return [id];
  const group = trace.groups[id - n];
  if (!group || group.id !== id) throw new RangeError(`token ${id} is neither an original token nor a group of this trace`);
  return group.members.flatMap((member) => originalsOf(trace, member)).sort((a, b) => a - b);
}

/**
 * The fate of every original token after step `stepIndex` (`-1`: before any step, all kept).
 * A token inside a group is 'merged' while the group lives and 'dropped' (with the group's drop
 * step and score) once the group is dropped.
 */
export function fatesAt(trace: TokenTrace, stepIndex: number): TokenFate[] {
  const n = originalTokenCount(trace.grid);
  if (stepIndex < -1 || stepIndex >= trace.steps.length) throw new RangeError(`step ${stepIndex} does not exist`);
  const fates: TokenFate[] = Array.from({ length: n }, () => ({ kind: 'kept' }));
  for (let s = 0; s <= stepIndex; s++) {
    const step = trace.steps[s]!;
    for (const groupId of step.created) {
      const group = trace.groups[groupId - n]!;
      for (const original of originalsOf(trace, groupId)) fates[original] = { kind: 'merged', group: groupId, name: group.name };
    }
    for (const drop of step.dropped) {
      const fate: TokenFate = { kind: 'dropped', step: s, stage: step.stage };
      if (step.layer !== undefined) fate.layer = step.layer;
      if (drop.score !== undefined) fate.score = drop.score;
      for (const original of originalsOf(trace, drop.id)) fates[original] = fate;
    }
  }
  return fates;
}

/**
 * How a pruning layer is counted by `equivalentTokens`: 'entering' counts the tokens a layer
 * actually processed; 'after-pruning' counts a layer that pruned by its post-pruning value, as
 * SparseVLM's and MustDrop's code do (SparseVLM issue #35).
 */
export type EquivalentTokenConvention = 'entering' | 'after-pruning';

/**
 * Layer-averaged visual token count (SparseVLM/MustDrop "equivalent tokens", METHODS.md §9): the
 * mean over decoder layers of the visual tokens present. FastV K=2 keeping 288 of 576 on 32
 * layers gives (2·576 + 30·288)/32 = 306 with the default 'entering' convention. Throws on a
 * trace without layer counts.
 */
export function equivalentTokens(trace: TokenTrace, convention: EquivalentTokenConvention = 'entering'): number {
  const layers = trace.layers;
  if (layers.length === 0) throw new RangeError('the trace has no decoder-layer counts');
  let sum = 0;
  for (let l = 0; l < layers.length; l++) {
    const entering = layers[l]!.visual;
    sum += convention === 'entering' ? entering : visualAfterLayer(trace, l);
  }
  return sum / layers.length;
}

/** Visual tokens left once decoder layer `layer` and any llm step at it are done. */
function visualAfterLayer(trace: TokenTrace, layer: number): number {
  const next = trace.layers[layer + 1];
  if (next) return next.visual;
  let count = trace.layers[layer]!.visual;
  for (const step of trace.steps) if (step.stage === 'llm' && step.layer === layer) count = step.order.length;
  return count;
}
