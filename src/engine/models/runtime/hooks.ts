/**
 * The hook API: where compression methods act inside a run. The runtime calls these in order:
 *
 *   vitProbes(k) for every ViT layer k, once; then
 *   for each frame:  embeddings → for ViT layer k: run (with k's probes) → afterVitLayer (at the declared afterVitLayers)
 *   beforeProjector (all frames' selected features) → [projectorProbes] projector → afterProjector (LLM-width tokens)
 *   prefill: for decoder layer ℓ: [decoderProbes(ℓ, seq)] run → afterDecoderLayer
 *            (runs of layers with no hook work between them execute as one graph, see below)
 *   beforeDecode (per-layer KV caches) → greedy decoding
 *
 * Rules for hooks:
 * - Probes are graph outputs, so they are requested *before* a layer runs (`vitProbes`,
 *   `projectorProbes`, `decoderProbes`) and read in the `after…` hook of that layer. Next-layer
 *   q·k scores are either requested the same way (`nextLayerRows`: computed inside the layer's
 *   graph, read as `probes.nextLayer`) or computed on demand by a separate small graph
 *   (`nextLayerScores`).
 * - Hooks edit token sequences only through TokenSequence (`gather`, `setHidden`, positions) and
 *   the KvCache (`gather`, `nextPosition`), so provenance stays right for the token trace.
 * - In the ViT, row 0 is the CLS token and must stay row 0. Visual rows in the decoder sequence
 *   must stay one contiguous block (gather in [before, visual, after] order).
 * - Position ids: the decoder sequence starts with 0..n-1. A hook that gathers keeps the rows'
 *   original ids (P1); call `seq.compactPositions()` for P2. Each layer's first decode position
 *   defaults to 1 + the largest position id that layer saw in prefill; set
 *   `cache.layer(ℓ).nextPosition` in `beforeDecode` for P3 (e.g. = that layer's cache length).
 * - A layer's KV cache holds what that layer processed; dropping tokens after layer ℓ does not
 *   shorten layers ≤ ℓ unless `beforeDecode` gathers them (MustDrop's retroactive compaction).
 *
 * Example — FastV (K = 2, keep half the visual tokens, original positions):
 *   const K = 2;
 *   const fastv: RuntimeHooks = {
 *     decoderProbes: (l, seq) => (l === K - 1 ? { attentionRows: [seq.length - 1] } : undefined),
 *     afterDecoderLayer: ({ layer, seq, probes }) => {
 *       if (layer !== K - 1) return;
 *       const { start, count } = seq.visualSpan();
 *       const row = probes.attentionRows!.values;            // [1, n]: last query over all keys
 *       const ranked = Array.from({ length: count }, (_, j) => start + j).sort((a, b) => row[b]! - row[a]!);
 *       const kept = new Set(ranked.slice(0, Math.floor(count / 2)));
 *       seq.gather([...Array(seq.length).keys()].filter((i) => i < start || i >= start + count || kept.has(i)));
 *     },
 *   };
 *   // seq.sources maps kept rows to prefill rows; layout.visualIds[source − layout.prefixLength]
 *   // is the visual token id (frame · tokensPerFrame + raster index) for the token trace.
 * With combined hooks the attention rows (and next-layer rows) are the sorted union of every
 * request: find yours with `probes.attentionRows.rows.indexOf(r)`.
 *
 * Fused prefill: a hook that declares `afterDecoderLayers` (FastV above: `[K - 1]`) lets the
 * runtime run the layers between those points as one graph (prefill.ts); `afterDecoderLayer` then
 * runs only at the end of each run of layers. A layer with a probe request always ends a run.
 */
import type { DecoderProbeSet } from '../graph/decoder-graphs';
import type { ProjectorProbeSet, VitProbeSet } from '../graph/vision-graphs';
import type { KvCache } from './kv-cache';
import type { TokenSequence } from './token-sequence';

/** Probe outputs of one ViT layer (those requested). */
export interface VitProbes {
  /** Head-mean attention of the CLS row over all current tokens, [n]. */
  clsAttention?: Float32Array;
  /** Keys averaged over heads, [n, headDim]. */
  keyMean?: Float32Array;
}

/** Passed to `afterVitLayer`: one frame's tokens after ViT layer `layer`. */
export interface VitLayerContext {
  frame: number;
  frameCount: number;
  layer: number;
  numLayers: number;
  /** Patch grid of the frame before any merging (rows × cols). */
  grid: { rows: number; cols: number };
  /** Row 0 = CLS; `sources` index [CLS, patch 0, patch 1, …] in raster order. */
  seq: TokenSequence;
  probes: VitProbes;
  /** True after the layer whose output the LLM receives (vision_feature_layer); later edits do not reach the LLM. */
  featuresTaken: boolean;
}

/** Where one frame's tokens sit in the concatenated visual sequence. */
export interface FrameSpan {
  frame: number;
  start: number;
  count: number;
  /** The token grid when tokens still form one (after pooling), else null (merged/dropped in the ViT). */
  grid: { rows: number; cols: number } | null;
}

/** Probe outputs of the projector graph (those requested), for the tokens it ran on. */
export interface ProjectorProbes {
  /** Cosine similarity of every pair of projected tokens, [n, n] row-major. */
  cosine?: Float32Array;
  /**
   * The visual token ids (`seq.sources`) the probes were computed for: a hook before yours that
   * edited the tokens makes them stale, which a reader tells by comparing with its `seq.sources`.
   */
  sources: Int32Array;
}

/**
 * Passed to `beforeProjector` (ViT width) and `afterProjector` (LLM width): all visual tokens of
 * all frames in time order. `seq.sources` are visual token ids: frame · tokensPerFrame + raster
 * index on the (pooled) grid, the ids the token trace uses.
 */
export interface VisualTokensContext {
  seq: TokenSequence;
  frames: FrameSpan[];
  tokensPerFrame: number;
  /** `afterProjector` only: what `projectorProbes` asked for. */
  probes?: ProjectorProbes;
}

/** Layout of the sequence entering the decoder: `prefixLength` text rows, the visual block, the rest. */
export interface PrefillLayout {
  prefixLength: number;
  /** Visual token ids (see VisualTokensContext) of the visual block entering layer 0, in order. */
  visualIds: Int32Array;
  suffixLength: number;
}

/** What a hook wants computed inside decoder layer ℓ. */
export interface DecoderProbeRequest {
  /** Query rows (indices into the sequence entering the layer) whose head-mean softmax rows to return. */
  attentionRows?: readonly number[];
  /** Per-token transition stats of the attention and MLP sublayers. */
  transitions?: boolean;
  /**
   * Query rows (indices into the sequence leaving the layer, which has the same rows) whose
   * head-mean softmax over layer+1's q·k to compute inside this layer's graph: what
   * `nextLayerScores(rows)` returns after it, without a session run of its own. Not after the
   * last layer.
   */
  nextLayerRows?: readonly number[];
}

/** Probe outputs of one decoder layer (those requested). */
export interface DecoderProbes {
  /** rows: the requested rows; values [R, n] over all keys, causal mask included, rows sum to 1. */
  attentionRows?: { rows: number[]; values: Float32Array };
  transitions?: { attnRatio: Float32Array; attnCos: Float32Array; mlpRatio: Float32Array; mlpCos: Float32Array };
  /** rows: the requested next-layer rows (sorted union when combined); values [R, n] as `nextLayerScores(rows)`. */
  nextLayer?: { rows: number[]; values: Float32Array };
}

/** Passed to `afterDecoderLayer`: the hidden states leaving layer `layer` (= entering layer+1). */
export interface DecoderLayerContext {
  layer: number;
  numLayers: number;
  seq: TokenSequence;
  probes: DecoderProbes;
  layout: PrefillLayout;
  /**
   * Head-mean causal softmax of layer+1's q·k (its input RMSNorm, q/k projections and RoPE at the
   * current position ids) for query `rows`: [R, n]. Throws after the last layer.
   */
  nextLayerScores(rows: readonly number[]): Promise<Float32Array>;
}

/** Passed to `beforeDecode`. */
export interface KvCacheContext {
  cache: KvCache;
  /** The sequence leaving the last decoder layer. */
  seq: TokenSequence;
  layout: PrefillLayout;
}

/** Every hook is optional; a run without hooks is the unpruned model. */
export interface RuntimeHooks {
  /** Asked once per ViT layer per answer, before the first frame: the request holds for every frame. */
  vitProbes?(layer: number): VitProbeSet | undefined;
  /** After every ViT layer of every frame, unless `afterVitLayers` is declared: then after those (and possibly others). */
  afterVitLayer?(ctx: VitLayerContext): void | Promise<void>;
  /**
   * The ViT layers after which `afterVitLayer` has work; absent: every layer. A call is cheap but
   * not free (its context is built per layer and frame), and most methods act at one layer.
   */
  afterVitLayers?: readonly number[];
  beforeProjector?(ctx: VisualTokensContext): void | Promise<void>;
  /** Called after `beforeProjector`, before the projector runs: what its graph should also compute. */
  projectorProbes?(): ProjectorProbeSet | undefined;
  afterProjector?(ctx: VisualTokensContext): void | Promise<void>;
  /**
   * Position ids of the visual tokens entering the decoder. 'compact' (default): the sequence is
   * numbered 0..n−1 whatever was pruned before the LLM. 'original': each visual token keeps the
   * position it has unpruned (prefix length + its visual id, frame-major), and the text after the
   * visual block continues from prefix + the unpruned visual count — the P1 convention, applied
   * to edits made before the LLM, so a token keeps its distance to every other (and its frame).
   */
  visualPositions?: 'compact' | 'original';
  /**
   * Called for every layer, in order, before the run of layers holding `layer` executes. `seq`'s
   * rows (length, positions, sources, visual mask) are exactly those entering `layer` — nothing
   * edits them inside a run — but its hidden states are those entering the run.
   */
  decoderProbes?(layer: number, seq: TokenSequence): DecoderProbeRequest | undefined;
  /**
   * After every decoder layer, unless `afterDecoderLayers` is declared: then after those layers,
   * after any layer whose probes were requested, and possibly after others.
   */
  afterDecoderLayer?(ctx: DecoderLayerContext): void | Promise<void>;
  /**
   * The layers after which `afterDecoderLayer` has work (reads probes or edits tokens); absent:
   * every layer. Declaring them lets prefill fuse the layers in between into one session run.
   */
  afterDecoderLayers?: readonly number[];
  beforeDecode?(ctx: KvCacheContext): void | Promise<void>;
}

/** The graph probe set implied by a decoder request. */
export function decoderProbeSet(req: DecoderProbeRequest | undefined): DecoderProbeSet {
  return { attentionRows: !!req?.attentionRows?.length, transitions: !!req?.transitions, nextLayerRows: !!req?.nextLayerRows?.length };
}

/**
 * Several hook sets as one: probe requests are unioned (attention rows deduplicated and sorted),
 * `after…`/`before…` hooks run in list order, each seeing the previous one's edits.
 */
export function combineHooks(list: readonly RuntimeHooks[]): RuntimeHooks {
  const each = async <C>(pick: (h: RuntimeHooks) => ((ctx: C) => void | Promise<void>) | undefined, ctx: C): Promise<void> => {
    for (const h of list) await pick(h)?.call(h, ctx);
  };
  return {
    vitProbes: (layer) => {
      const sets = list.map((h) => h.vitProbes?.(layer)).filter((s): s is VitProbeSet => !!s);
      return sets.length ? { clsAttention: sets.some((s) => s.clsAttention), keyMean: sets.some((s) => s.keyMean) } : undefined;
    },
    projectorProbes: () => {
      const sets = list.map((h) => h.projectorProbes?.()).filter((s): s is ProjectorProbeSet => !!s);
      return sets.length ? { cosine: sets.some((s) => s.cosine) } : undefined;
    },
    decoderProbes: (layer, seq) => {
      const reqs = list.map((h) => h.decoderProbes?.(layer, seq)).filter((r): r is DecoderProbeRequest => !!r);
      if (!reqs.length) return undefined;
      const rows = [...new Set(reqs.flatMap((r) => r.attentionRows ?? []))].sort((a, b) => a - b);
      const next = [...new Set(reqs.flatMap((r) => r.nextLayerRows ?? []))].sort((a, b) => a - b);
      return { attentionRows: rows.length ? rows : undefined, transitions: reqs.some((r) => r.transitions), ...(next.length ? { nextLayerRows: next } : {}) };
    },
    ...(list.some((h) => h.visualPositions === 'original') ? { visualPositions: 'original' as const } : {}),
    afterVitLayer: (ctx) => each((h) => h.afterVitLayer, ctx),
    beforeProjector: (ctx) => each((h) => h.beforeProjector, ctx),
    afterProjector: (ctx) => each((h) => h.afterProjector, ctx),
    afterDecoderLayer: (ctx) => each((h) => h.afterDecoderLayer, ctx),
    ...(afterDecoderLayers(list) ?? {}),
    ...(afterVitLayers(list) ?? {}),
    beforeDecode: (ctx) => each((h) => h.beforeDecode, ctx),
  };
}

/** The union of the lists' declared `afterDecoderLayers`, or null when some hook with `afterDecoderLayer` declares none (then: every layer). */
function afterDecoderLayers(list: readonly RuntimeHooks[]): { afterDecoderLayers: number[] } | null {
  const layers = declaredLayers(list.map((h) => (h.afterDecoderLayer ? (h.afterDecoderLayers ?? null) : [])));
  return layers && { afterDecoderLayers: layers };
}

/** The union of the lists' declared `afterVitLayers`, or null when some hook with `afterVitLayer` declares none (then: every layer). */
function afterVitLayers(list: readonly RuntimeHooks[]): { afterVitLayers: number[] } | null {
  const layers = declaredLayers(list.map((h) => (h.afterVitLayer ? (h.afterVitLayers ?? null) : [])));
  return layers && { afterVitLayers: layers };
}

/** The sorted union of `lists`, or null when any is null (a hook that acts after every layer). */
function declaredLayers(lists: ReadonlyArray<readonly number[] | null>): number[] | null {
  const layers = new Set<number>();
  for (const l of lists) {
    if (l === null) return null;
    for (const x of l) layers.add(x);
  }
  return [...layers].sort((a, b) => a - b);
}
