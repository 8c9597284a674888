/**
 * The prefill phase: the spliced [prefix, visual, suffix] embeddings through every decoder layer,
 * one graph per layer or per fused run of layers, with probes and hooks between them; then the LM
 * head on the last row (inside the fused segment that ends at the last layer, else its own graph).
 */
import type * as ort from 'onnxruntime-node';
import type { TextConfig } from '../checkpoint/types';
import { decoderProbeSet, type DecoderProbes, type PrefillLayout, type RuntimeHooks } from './hooks';
import { KvCache, type LayerKvCache } from './kv-cache';
import { runGraph, type ModelGraphs } from './model-graphs';
import { causalMask, causalRowMask, data, emptyPast, f32, i64 } from './tensors';
import { TokenSequence } from './token-sequence';

/** Token embeddings for `ids` from the embedding table [V, D]; throws on an id outside the vocabulary. */
export function embedTokens(table: Float32Array, cfg: TextConfig, ids: readonly number[]): Float32Array {
  const D = cfg.hiddenSize;
  const out = new Float32Array(ids.length * D);
  ids.forEach((id, t) => {
    if (!Number.isInteger(id) || id < 0 || id >= cfg.vocabSize) throw new Error(`Token id ${id} is outside the vocabulary (0..${cfg.vocabSize - 1}); the tokenizer and config.json disagree.`);
    out.set(table.subarray(id * D, (id + 1) * D), t * D);
  });
  return out;
}

/** [prefix text, visual, suffix text] embeddings as one decoder input sequence with its layout. */
export function spliceSequence(table: Float32Array, cfg: TextConfig, before: readonly number[], visual: Float32Array, visualIds: Int32Array, after: readonly number[]): { seq: TokenSequence; layout: PrefillLayout } {
  const D = cfg.hiddenSize;
  const nVisual = visual.length / D;
  const hidden = new Float32Array((before.length + nVisual + after.length) * D);
  hidden.set(embedTokens(table, cfg, before), 0);
  hidden.set(visual, before.length * D);
  hidden.set(embedTokens(table, cfg, after), (before.length + nVisual) * D);
  const mask = new Uint8Array(before.length + nVisual + after.length).fill(1, before.length, before.length + nVisual);
  return { seq: new TokenSequence(hidden, D, mask), layout: { prefixLength: before.length, visualIds, suffixLength: after.length } };
}

/** What prefill leaves behind. */
export interface PrefillResult {
  /** Hidden states leaving the last layer. */
  seq: TokenSequence;
  cache: KvCache;
  /** Logits of the last row, [vocab]: the first answer token's distribution. */
  lastLogits: Float32Array;
  /** Tokens entering each decoder layer (FLOPs). */
  tokenCounts: number[];
  /** Visual tokens entering each decoder layer. */
  visualCounts: number[];
}

/** Logits [R, V] for hidden rows [R, D] through the final norm and LM head. */
export async function lmHeadLogits(graphs: ModelGraphs, hidden: Float32Array): Promise<Float32Array> {
  const D = graphs.model.config.text.hiddenSize;
  const head = await graphs.lmHead();
  return data(await runGraph(head.session, head.name, { hidden: f32(hidden, [hidden.length / D, D]) }), 'logits', head.name);
}

/**
 * Above this many bytes of float32 decoder weights, prefill runs one session per layer. Lower than
 * decode.ts's bound for its one fused step: every distinct segment (its layers and the probes of
 * its last layer: one per pruning schedule) is a session with its own copy of those layers'
 * weights, and a sweep over methods builds several.
 */
export const FUSED_PREFILL_MAX_BYTES = 512 * 1024 ** 2;

/** Weights (parameter count) of one decoder layer: q/k/v/o projections and the gated MLP. */
export function decoderLayerWeights(t: TextConfig): number {
  return 2 * t.hiddenSize * (t.numHeads + t.numKvHeads) * t.headDim + 3 * t.hiddenSize * t.intermediateSize;
}

/**
 * How prefill runs for this model: 'fused' runs each stretch of layers with no hook between them
 * as one graph (one session run instead of one per layer: the per-run fixed cost dominates short
 * sequences); 'per-layer' runs every layer alone. Fused segments hold their own copy of the
 * layers' weights, so 'auto' fuses only when the decoder weights fit FUSED_PREFILL_MAX_BYTES.
 */
export function prefillModeFor(graphs: ModelGraphs): 'fused' | 'per-layer' {
  const mode = graphs.options.prefill ?? 'auto';
  if (mode !== 'auto') return mode;
  const t = graphs.model.config.text;
  const perLayer = decoderLayerWeights(t);
  return 4 * t.numLayers * perLayer <= FUSED_PREFILL_MAX_BYTES ? 'fused' : 'per-layer';
}

/**
 * Runs every decoder layer over `seq` (edited in place by hooks) and returns caches, counts and
 * last logits. In fused mode a segment ends at a layer after which `afterDecoderLayer` must run
 * (hooks.afterDecoderLayers; every layer when it is not declared), at a layer with a probe
 * request, and at the last layer; hooks run only at segment ends.
 */
export async function prefill(graphs: ModelGraphs, seq: TokenSequence, layout: PrefillLayout, hooks: RuntimeHooks = {}): Promise<PrefillResult> {
  const cfg = graphs.model.config.text;
  const D = cfg.hiddenSize;
  const L = cfg.numLayers;
  const fused = prefillModeFor(graphs) === 'fused';
  const stops = hooks.afterDecoderLayer ? (hooks.afterDecoderLayers ? new Set(hooks.afterDecoderLayers) : null) : new Set<number>();
  const stopsAt = (l: number): boolean => stops === null || stops.has(l);
  const layers: LayerKvCache[] = [];
  const tokenCounts: number[] = [];
  const visualCounts: number[] = [];
  let mask: { n: number; data: Float32Array } = { n: -1, data: new Float32Array(0) };
  // The last row's logits, when the fused segment ending at the last layer computed them.
  let lastLogits: Float32Array | undefined;
  for (let from = 0; from < L; ) {
    const n = seq.length;
    // Layers between pruning points share a length, so the [n, n] mask is built once per length.
    if (mask.n !== n) mask = { n, data: causalMask(n) };
    let to = from;
    let req = hooks.decoderProbes?.(from, seq);
    let probeSet = decoderProbeSet(req);
    while (fused && to < L - 1 && !stopsAt(to) && !probesAny(probeSet)) {
      to += 1;
      req = hooks.decoderProbes?.(to, seq);
      probeSet = decoderProbeSet(req);
    }
    const rows = req?.attentionRows ? [...req.attentionRows] : [];
    for (const r of rows) if (!Number.isInteger(r) || r < 0 || r >= n) throw new Error(`decoderProbes(${to}): attention row ${r} is outside 0..${n - 1}.`);
    const nextRows = req?.nextLayerRows ? [...req.nextLayerRows] : [];
    for (const r of nextRows) if (!Number.isInteger(r) || r < 0 || r >= n) throw new Error(`decoderProbes(${to}): next-layer row ${r} is outside 0..${n - 1}.`);
    if (nextRows.length && to === L - 1) throw new Error(`decoderProbes(${to}): next-layer rows requested at the last decoder layer.`);
    const feeds: Record<string, ort.Tensor> = { hidden: f32(seq.hidden, [n, D]), position_ids: i64(seq.positions), attn_mask: f32(mask.data, [n, n]) };
    if (probeSet.attentionRows) feeds.probe_rows = i64(rows);
    if (probeSet.nextLayerRows) {
      feeds.next_rows = i64(nextRows);
      feeds.next_row_mask = f32(causalRowMask(nextRows, n), [nextRows.length, n]);
    }
    const single = to === from;
    const g = single ? await graphs.decoderLayer(from, probeSet) : await graphs.decoderSegment(from, to, probeSet);
    if (single) feeds.past_key = feeds.past_value = emptyPast(cfg.numKvHeads, cfg.headDim);
    const res = await runGraph(g.session, g.name, feeds);
    const visual = seq.visualSpan().count;
    const nextPosition = maxOf(seq.positions) + 1;
    for (let l = from; l <= to; l++) {
      tokenCounts.push(n);
      visualCounts.push(visual);
      const key = data(res, single ? 'present_key' : `present_key_${l}`, g.name);
      const value = data(res, single ? 'present_value' : `present_value_${l}`, g.name);
      layers.push({ key, value, length: n, positions: [...seq.positions], sources: seq.sources.slice(), nextPosition });
    }
    const probes: DecoderProbes = {};
    if (probeSet.attentionRows) probes.attentionRows = { rows, values: data(res, 'attn_rows', g.name) };
    if (probeSet.nextLayerRows) probes.nextLayer = { rows: nextRows, values: data(res, 'next_qk_rows', g.name) };
    if (probeSet.transitions) probes.transitions = { attnRatio: data(res, 'attn_ratio', g.name), attnCos: data(res, 'attn_cos', g.name), mlpRatio: data(res, 'mlp_ratio', g.name), mlpCos: data(res, 'mlp_cos', g.name) };
    const hiddenOut = data(res, 'hidden_out', g.name);
    seq.setHidden(hiddenOut);
    if (!single && to === L - 1) lastLogits = data(res, 'logits', g.name);
    if (hooks.afterDecoderLayer && (stopsAt(to) || probesAny(probeSet))) {
      const next = to + 1;
      await hooks.afterDecoderLayer({ layer: to, numLayers: L, seq, probes, layout, nextLayerScores: (r) => nextLayerScores(graphs, next, seq, r) });
      // Hooks edit rows only through gather/setHidden, both of which replace seq.hidden.
      if (seq.hidden !== hiddenOut) lastLogits = undefined;
    }
    from = to + 1;
  }
  // Per-layer runs, a last segment of one layer, or a hook that edited the tokens after the last
  // layer (none of the registered methods does): the LM head runs on the final last row.
  lastLogits ??= await lmHeadLogits(graphs, seq.row(seq.length - 1).slice());
  return { seq, cache: new KvCache(layers, cfg.numKvHeads, cfg.headDim), lastLogits, tokenCounts, visualCounts };
}

/** Whether a layer's graph computes any probe (its hook must then run after it). */
function probesAny(p: { attentionRows?: boolean; transitions?: boolean; nextLayerRows?: boolean }): boolean {
  return !!(p.attentionRows || p.transitions || p.nextLayerRows);
}

/** The largest of `values` without spreading them into arguments (no call-stack limit on long sequences). */
function maxOf(values: readonly number[]): number {
  let m = -Infinity;
  for (const v of values) if (v > m) m = v;
  return m;
}

/** Head-mean causal q·k softmax rows of decoder layer `layer` over `seq` at its current positions: [R, n]. */
export async function nextLayerScores(graphs: ModelGraphs, layer: number, seq: TokenSequence, rows: readonly number[]): Promise<Float32Array> {
  const cfg = graphs.model.config.text;
  if (layer >= cfg.numLayers) throw new Error(`nextLayerScores: there is no decoder layer ${layer} after the last (${cfg.numLayers - 1}).`);
  const n = seq.length;
  for (const r of rows) if (!Number.isInteger(r) || r < 0 || r >= n) throw new Error(`nextLayerScores: row ${r} is outside 0..${n - 1}.`);
  const g = await graphs.queryKeyScores(layer);
  const res = await runGraph(g.session, g.name, {
    hidden: f32(seq.hidden, [n, cfg.hiddenSize]),
    position_ids: i64(seq.positions),
    probe_rows: i64(rows),
    row_mask: f32(causalRowMask(rows, n), [rows.length, n]),
  });
  return data(res, 'qk_rows', g.name);
}
