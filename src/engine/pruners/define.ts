/**
 * `definePruner`: what a compression method declares, and the pure hook interface it implements.
 *
 * A method is data plus small pure functions. It never touches runtime tensors: its hooks receive
 * plain matrices (the probes and hidden states METHODS.md says it needs) and return *edits* —
 * which visual tokens to keep, in what order, which to merge and into what features. `bind.ts`
 * applies every edit to the runtime's TokenSequence and to the token trace together, so the trace
 * always agrees with the tokens actually fed to each layer.
 *
 * Retention means one thing everywhere: the fraction of the input's visual tokens kept. Methods
 * with one pruning point keep round(retention·N) there (FastV after layer K−1, DivPrune before the
 * LLM); progressive ones, which prune at several layers, meet it as a layer average (equivalent
 * tokens, METHODS.md §9) — the only single number their schedules have. `resolveParams` maps it to the method's own parameters and
 * says what it plans to achieve; methods that cannot hit it exactly report the difference.
 */
import type { z } from 'zod';
import { equivalentTokens, originalTokenCount, type PositionConvention, type TokenTrace, type TraceStage } from '../../shared/trace';
import type { MethodGuidance } from '../../shared/schemas/methods';
import type { SequenceEntry } from '../../shared/trace-builder';
import type { Matrix } from './algorithms/matrix';

export { layerAt } from './algorithms/depth';

/**
 * Method ids used by the CLI and the contract (issue 5), plus 'oracle': the evaluation-only
 * ground-truth-box pruner (src/engine/eval/oracle.ts), which needs labels and is never registered.
 */
export type PrunerId = 'random' | 'pool' | 'fastv' | 'visionzip' | 'divprune' | 'prumerge-plus' | 'sparsevlm' | 'pdrop' | 'todre' | 'mustdrop' | 'transprune' | 'oracle';

/** The model and input a run works on; no method hard-codes any of it. */
export interface RunGeometry {
  vitLayers: number;
  /** 0-based ViT layer whose output the projector receives (LLaVA: 22 of 24). */
  featureLayer: number;
  decoderLayers: number;
  /** Patch grid of one frame inside the ViT. */
  patchGrid: { rows: number; cols: number };
  /** Visual-token grid entering the LLM (pooled for video), and the frame count. */
  grid: { frames: number; rows: number; cols: number };
  /** N: visual tokens of the input before any pruning (frames·rows·cols of `grid`). */
  visualTokens: number;
}

/** Parameters after mapping retention, and what the method expects to achieve with them. */
export interface ResolvedParams<P> {
  params: P;
  /**
   * Retention the parameters are planned to achieve (layer-averaged for progressive methods);
   * absent when only the run can tell (adaptive counts, thresholds). The trace has the achieved one.
   */
  plannedRetention?: number;
  /** Why planned ≠ requested, when it is (e.g. "the key set is a floor"). */
  note?: string;
}

/** Which decoder rows a method needs attention for. */
export type QueryRows = 'last' | 'after-visual' | 'visual-and-after';

/** Probe outputs a method needs; `bind.ts` turns these into runtime probe requests. */
export interface ProbeNeeds {
  /**
   * ViT layers whose head-mean CLS attention and/or head-mean keys are read. The listed layers are
   * also the only ones after which `afterVitLayer` runs (an entry with no probe flags asks for the
   * call alone, e.g. MustDrop's merge after layer 0): a call is built per layer and frame, and on
   * the bundled model a no-op one cost 10–25 µs, most of a cheap method's budget.
   */
  vit?: { layer: number; clsAttention?: boolean; keys?: boolean }[];
  /** The decoder's input embeddings (text and visual) before layer 0 (SparseVLM's raters). */
  inputEmbeddings?: boolean;
  /**
   * The cosine similarity of every pair of projected visual tokens, computed inside the projector
   * graph and handed to `beforeLlm` as `cosine` (DivPrune, ToDRE).
   */
  projectorCosine?: boolean;
  /**
   * Per decoder layer: attention rows over all keys, sublayer transitions, next-layer q·k rows.
   * The listed layers are also the only ones after which `afterDecoderLayer` runs (an entry with
   * no probe flags asks for the call alone); prefill fuses the layers between them.
   */
  decoder?: { layer: number; attention?: QueryRows; transitions?: boolean; nextLayer?: QueryRows }[];
}

/**
 * An edit of the visual tokens: the new visual sequence, entries indexing the *current* visual
 * tokens (in the ViT: the current patch rows, CLS excluded and always kept first).
 */
export interface TokenEdit {
  label: string;
  sequence: SequenceEntry[];
  /** [sequence.length × width] new rows; default: kept rows copied, merges the plain mean of members. */
  features?: Matrix;
  /** One score per current visual token; recorded in the trace for the dropped ones. */
  scores?: ArrayLike<number>;
}

/** Common to every hook call. */
export interface HookEnv<P, S> {
  params: P;
  state: S;
  geometry: RunGeometry;
  /** Seeded uniform [0, 1) numbers: the only randomness a method may use. */
  random: () => number;
}

/** After ViT layer `layer` of one frame. Rows are patches only (CLS excluded). */
export interface VitLayerInput {
  frame: number;
  layer: number;
  grid: { rows: number; cols: number };
  /** True from the feature layer on: later edits no longer reach the LLM. */
  featuresTaken: boolean;
  /** The patch hidden states leaving this layer, [patches × width] (a copy, made on call). */
  patches(): Matrix;
  /**
   * Head-mean CLS attention over the patch columns (normalised over all keys, CLS included). This
   * and `keys` are read-only views into the layer graph's outputs, which no later run reuses: keep
   * them as they are, copy before writing.
   */
  clsAttention?: Float32Array;
  /** Head-mean keys of the patches (a read-only view, as `clsAttention`). */
  keys?: Matrix;
}

/** The visual tokens of all frames, frame-major: ViT width before the projector, LLM width after. */
export interface VisualInput {
  features: Matrix;
  /**
   * `beforeLlm` with `needs.projectorCosine`: cosine(features row i, row j), [n × n], from the
   * projector graph. Absent when a hook combined before this one edited the tokens (the matrix
   * would describe other rows), or when a test calls the hook directly: compute it then.
   */
  cosine?: Matrix;
  frames: { frame: number; start: number; count: number; grid: { rows: number; cols: number } | null }[];
}

/** The current decoder sequence layout: [prefix, visual block, suffix]. */
export interface SequenceSpan {
  visualStart: number;
  visualCount: number;
  length: number;
}

/** After decoder layer `layer` (what leaves it enters layer + 1). */
export interface DecoderLayerInput {
  layer: number;
  span: SequenceSpan;
  /** Requested head-mean softmax rows over all keys: `rows` index the sequence, values [R × length]. */
  attention?: { rows: number[]; values: Matrix };
  /** Per-token (whole sequence) ‖out‖/‖in‖ and cos(in, out) of the attention and MLP sublayers. */
  transitions?: { attnRatio: Float32Array; attnCos: Float32Array; mlpRatio: Float32Array; mlpCos: Float32Array };
  /** Layer+1's head-mean causal q·k softmax rows at the current positions, [R × length]. */
  nextLayer?: { rows: number[]; values: Matrix };
  /** Hidden states of the visual block leaving this layer, [visualCount × width]. */
  visualHidden(): Matrix;
  /** The LLM input embeddings, captured before layer 0 when `needs.inputEmbeddings`. */
  inputEmbeddings?: { visual: Matrix; text: Matrix };
}

/** Before decoding: what each layer's cache holds (visual slots counted by the binder). */
export interface KvInput {
  layers: { layer: number; length: number; visualSlots: number }[];
  finalVisualCount: number;
}

/**
 * A KV-cache policy: `compact` gathers those layers' caches down to the visual tokens still live at
 * the end of prefill (MustDrop's retroactive compaction); `nextPosition: 'cache-length'` makes
 * each layer's decode position its own cache length (P3).
 */
export interface KvEdit {
  label: string;
  compact?: { from: number; to: number };
  nextPosition?: 'cache-length';
}

/** The method's hooks; each is optional and returns an edit, or nothing to leave tokens as they are. */
export interface PrunerHooks<P, S> {
  afterVitLayer?(input: VitLayerInput, env: HookEnv<P, S>): TokenEdit | void;
  /** Visual tokens at ViT width, before the projector (VisionZip, PruMerge+, pool). */
  beforeProjector?(input: VisualInput, env: HookEnv<P, S>): TokenEdit | void;
  /** Visual tokens at LLM width: the LLM input (DivPrune, ToDRE stage 1, random). */
  beforeLlm?(input: VisualInput, env: HookEnv<P, S>): TokenEdit | void;
  /** Runs after each decoder layer listed in `needs().decoder`, and after no other. */
  afterDecoderLayer?(input: DecoderLayerInput, env: HookEnv<P, S>): TokenEdit | void;
  beforeDecode?(input: KvInput, env: HookEnv<P, S>): KvEdit | void;
}

/** One step of a run as the FLOPs overhead sees it: visual tokens before and after, at a width. */
export interface StepCost {
  stage: TraceStage;
  layer?: number;
  /** Live visual tokens before the step and after it. */
  before: number;
  after: number;
  /** Widths of the visual tokens: ViT (vit stage and before the projector) and LLM. */
  widths: { vit: number; llm: number };
}

/** Everything a method declares. `Schema` is a zod object; every field has `.describe()` help. */
export interface PrunerDefinition<Schema extends z.ZodObject = z.ZodObject, S = unknown> {
  id: PrunerId;
  label: string;
  paper: { title: string; arxiv: string; url: string };
  code?: string;
  stages: TraceStage[];
  modalities: ('image' | 'video')[];
  params: Schema;
  positions: PositionConvention;
  /** How retention is met: 'kept' at the method's (first) pruning point, or as a 'layer-average'. */
  retention: 'kept' | 'layer-average';
  /** What decides which tokens stay (shared/schemas/methods.ts `MethodGuidance`). */
  guidance: MethodGuidance;
  /**
   * Maps retention ∈ (0, 1] and the user's parameters (parsed: paper defaults filled in, the
   * retention-derived fields still undefined unless the user set them) to the full parameter set.
   * Retention 1 must resolve to a no-op: the unpruned model.
   */
  resolveParams(retention: number, user: z.output<Schema>, geometry: RunGeometry): ResolvedParams<z.output<Schema>>;
  needs(params: z.output<Schema>, geometry: RunGeometry): ProbeNeeds;
  /** Fresh per-run scratch state (accumulators, key sets, raters). */
  createState(params: z.output<Schema>, geometry: RunGeometry): S;
  hooks: PrunerHooks<z.output<Schema>, S>;
  /**
   * MAC-style FLOPs of the method's own selection arithmetic in one of its steps (pairwise
   * similarities, merges), beyond the probes `overhead.ts` counts from `needs`. Absent: sorting
   * and thresholding only, counted as 0.
   */
  selectionFlops?(step: StepCost, params: z.output<Schema>): number;
}

/** Any registered method, as the registry and the binder see it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyPruner = PrunerDefinition<z.ZodObject, any>;

/**
 * Declares a method. Checks, at definition time, that every parameter has help text (the UI, CLI
 * and report show it), and returns the definition unchanged with its types inferred.
 */
export function definePruner<Schema extends z.ZodObject, S>(def: PrunerDefinition<Schema, S>): PrunerDefinition<Schema, S> {
  for (const [name, field] of Object.entries(def.params.shape)) {
    if (!(field as z.ZodType).description) throw new Error(`pruner '${def.id}': parameter '${name}' has no .describe() help text`);
  }
  if (def.stages.length === 0) throw new Error(`pruner '${def.id}' acts in no stage`);
  return def;
}

/**
 * The retention a run achieved, in the method's own meaning: for 'kept', the visual tokens left by
 * the first step that removed any, over N (1 when none did); for 'layer-average', equivalent
 * tokens over N.
 */
export function achievedRetention(trace: TokenTrace, meaning: 'kept' | 'layer-average'): number {
  const n = originalTokenCount(trace.grid);
  if (meaning === 'layer-average') return equivalentTokens(trace) / n;
  let live = n;
  for (const step of trace.steps) {
    if (step.order.length < live) return step.order.length / n;
    live = step.order.length;
  }
  return 1;
}
