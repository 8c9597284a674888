/**
 * Llama-style decoder graphs (HF LlamaDecoderLayer math): one graph per layer, fused runs of
 * layers for prefill, the next layer's query·key scorer (TransPrune's IGA), and the final RMSNorm
 * + LM head.
 *
 * Layer graph I/O (batch 1; T new tokens, P cached tokens, S = P + T):
 *   in  hidden [T, D], position_ids int64 [T], attn_mask [T, S] additive,
 *       past_key/past_value [Hkv, P, hd] (P = 0 in prefill), probe_rows int64 [R] (attention rows probe)
 *   out hidden_out [T, D], present_key/present_value [Hkv, S, hd] (after RoPE: the KV cache),
 *       probes: attn_rows [R, S] (head-mean softmax rows, normalised over all S keys),
 *       attn_ratio/attn_cos/mlp_ratio/mlp_cos [T] (sublayer transitions, in = normed input,
 *       out = sublayer output before the residual).
 */
import type { TensorStore, TextConfig } from '../checkpoint/types';
import { GraphBuilder, type Value } from './graph-builder';
import { OnnxDataType } from './onnx-proto';
import { activation, applyRope, attention, headMeanRows, linear, mergeHeads, repeatKv, rmsNorm, ropeTables, splitHeads, transitionStats } from './ops';

/** Which probes a decoder-layer graph computes; each flag adds outputs (and inputs) to the graph. */
export interface DecoderProbeSet {
  /** Head-mean softmax rows for query rows given at run time (input `probe_rows`). */
  attentionRows?: boolean;
  /** Per-token ‖out‖/‖in‖ and cos(in, out) of the attention and MLP sublayers. */
  transitions?: boolean;
  /**
   * The next layer's query·key scores on this graph's output (`addQueryKeyScores`, the nodes of
   * `buildQueryKeyScoreGraph`) for query rows given at run time (inputs `next_rows`, `next_row_mask`;
   * output `next_qk_rows`): one session run fewer per pruning point than the separate scorer.
   */
  nextLayerRows?: boolean;
}

/** A stable key for a probe set, used to cache built graph variants. */
export function decoderProbeKey(p: DecoderProbeSet): string {
  return `${p.attentionRows ? 'r' : '-'}${p.transitions ? 't' : '-'}${p.nextLayerRows ? 'n' : ''}`;
}

/** HF tensor name prefix of decoder layer `i`. */
export function decoderLayerPrefix(i: number): string {
  return `language_model.model.layers.${i}`;
}

/** A linear's weight [out, in] and its bias when the config has one (attention_bias / mlp_bias). */
interface LinearWeights {
  weight: Float32Array;
  bias?: Float32Array;
}

function readLinear(store: TensorStore, name: string, out: number, inDim: number, hasBias: boolean): LinearWeights {
  return { weight: store.get(`${name}.weight`, [out, inDim]), bias: hasBias ? store.get(`${name}.bias`, [out]) : undefined };
}

function readQk(store: TensorStore, cfg: TextConfig, prefix: string): { inputNorm: Float32Array; q: LinearWeights; k: LinearWeights } {
  const D = cfg.hiddenSize;
  const bias = cfg.attentionBias ?? false;
  return {
    inputNorm: store.get(`${prefix}.input_layernorm.weight`, [D]),
    q: readLinear(store, `${prefix}.self_attn.q_proj`, cfg.numHeads * cfg.headDim, D, bias),
    k: readLinear(store, `${prefix}.self_attn.k_proj`, cfg.numKvHeads * cfg.headDim, D, bias),
  };
}

/** Row-major matrices with the same column count stacked along rows (PyTorch linears stacked along `out`). */
function concatRows(parts: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Values inside a graph that one decoder layer produced (for outputs and probes). */
export interface DecoderLayerValues {
  out: Value;
  /** K after RoPE and V, past included: [Hkv, S, hd]. */
  key: Value;
  value: Value;
  /** Softmax probabilities [H, T, S] (only ever reduced by probes). */
  probs: Value;
  /** Sublayer inputs (normed) and outputs (before the residual), for transition probes. */
  attnIn: Value;
  attnOut: Value;
  mlpIn: Value;
  mlpOut: Value;
}

/**
 * Adds decoder layer `layer`'s nodes to `g`: x [T, D] at int64 positions [T], with an additive
 * mask [T, S] (null = attend to everything, as a single decode token does) and optional past K/V.
 */
export function addDecoderLayer(g: GraphBuilder, store: TensorStore, cfg: TextConfig, layer: number, io: { x: Value; positions: Value; mask: Value | null; pastKey?: Value; pastValue?: Value; rope?: { cos: Value; sin: Value } }): DecoderLayerValues {
  const D = cfg.hiddenSize;
  const H = cfg.numHeads;
  const Hkv = cfg.numKvHeads;
  const hd = cfg.headDim;
  const M = cfg.intermediateSize;
  const prefix = decoderLayerPrefix(layer);
  const w = readQk(store, cfg, prefix);
  const attnBias = cfg.attentionBias ?? false;
  const mlpBias = cfg.mlpBias ?? false;
  const wv = readLinear(store, `${prefix}.self_attn.v_proj`, Hkv * hd, D, attnBias);

  // Attention sublayer. q, k and v come from one MatMul over the stacked weights, split into heads
  // once, and q and k are rotated together: every op has a fixed cost that dominates short
  // sequences, and each output element is the same dot product (and the same elementwise RoPE)
  // as with separate projections, so the values are unchanged.
  const normed = rmsNorm(g, io.x, `${prefix}.input_layernorm`, w.inputNorm, cfg.rmsNormEps);
  // Layers that share positions (a fused segment) may share one table; it is the same values.
  const { cos, sin } = io.rope ?? ropeTables(g, io.positions, hd, cfg.ropeTheta);
  const qkvWeight = concatRows([w.q.weight, w.k.weight, wv.weight]);
  const qkvBias = w.q.bias && w.k.bias && wv.bias ? concatRows([w.q.bias, w.k.bias, wv.bias]) : undefined;
  const qkv = splitHeads(g, linear(g, normed, `${prefix}.qkv_proj`, qkvWeight, (H + 2 * Hkv) * hd, D, qkvBias), H + 2 * Hkv, hd);
  const [qkHeads, vHeads] = g.opMulti('Split', [qkv, g.int64([H + Hkv, Hkv])], 2, { axis: 0 }) as [Value, Value];
  const [q, kRotated] = g.opMulti('Split', [applyRope(g, qkHeads, cos, sin), g.int64([H, Hkv])], 2, { axis: 0 }) as [Value, Value];
  let k = kRotated;
  let v = vHeads;
  if (io.pastKey && io.pastValue) {
    k = g.op('Concat', [io.pastKey, k], { axis: 1 });
    v = g.op('Concat', [io.pastValue, v], { axis: 1 });
  }
  const groups = H / Hkv;
  const { context, probs } = attention(g, q, repeatKv(g, k, Hkv, groups, hd), repeatKv(g, v, Hkv, groups, hd), 1 / Math.sqrt(hd), io.mask);
  const o = readLinear(store, `${prefix}.self_attn.o_proj`, D, H * hd, attnBias);
  const attnOut = linear(g, mergeHeads(g, context, H, hd), `${prefix}.o_proj`, o.weight, D, H * hd, o.bias);
  const h1 = g.op('Add', [io.x, attnOut]);

  // MLP sublayer (SiLU-gated).
  const postNorm = store.get(`${prefix}.post_attention_layernorm.weight`, [D]);
  const normed2 = rmsNorm(g, h1, `${prefix}.post_attention_layernorm`, postNorm, cfg.rmsNormEps);
  const wGate = readLinear(store, `${prefix}.mlp.gate_proj`, M, D, mlpBias);
  const wUp = readLinear(store, `${prefix}.mlp.up_proj`, M, D, mlpBias);
  const wDown = readLinear(store, `${prefix}.mlp.down_proj`, D, M, mlpBias);
  // gate and up as one MatMul, split after (same dot products, one op fewer).
  const gateUpBias = wGate.bias && wUp.bias ? concatRows([wGate.bias, wUp.bias]) : undefined;
  const [gate, up] = g.opMulti('Split', [linear(g, normed2, `${prefix}.gate_up_proj`, concatRows([wGate.weight, wUp.weight]), 2 * M, D, gateUpBias), g.int64([M, M])], 2, { axis: -1 }) as [Value, Value];
  const act = g.op('Mul', [activation(g, gate, cfg.hiddenAct), up]);
  const mlpOut = linear(g, act, `${prefix}.down_proj`, wDown.weight, D, M, wDown.bias);
  return { out: g.op('Add', [h1, mlpOut]), key: k, value: v, probs, attnIn: normed, attnOut, mlpIn: normed2, mlpOut };
}

/**
 * Builds decoder layer `layer` with the given probes. Past K/V are always inputs: prefill passes
 * an empty [Hkv, 0, hd] past, so prefill and per-layer decoding share one session (and one copy
 * of the layer's weights).
 */
export function buildDecoderLayerGraph(store: TensorStore, cfg: TextConfig, layer: number, probes: DecoderProbeSet): GraphBuilder {
  const D = cfg.hiddenSize;
  const Hkv = cfg.numKvHeads;
  const hd = cfg.headDim;
  const g = new GraphBuilder(`decoder_layer_${layer}_${decoderProbeKey(probes)}`);
  const x = g.input('hidden', OnnxDataType.FLOAT, ['T', D]);
  const positions = g.input('position_ids', OnnxDataType.INT64, ['T']);
  const mask = g.input('attn_mask', OnnxDataType.FLOAT, ['T', 'S']);
  const past = { pastKey: g.input('past_key', OnnxDataType.FLOAT, [Hkv, 'P', hd]), pastValue: g.input('past_value', OnnxDataType.FLOAT, [Hkv, 'P', hd]) };
  const r = addDecoderLayer(g, store, cfg, layer, { x, positions, mask, ...past });
  g.output(r.out, 'hidden_out', OnnxDataType.FLOAT, ['T', D]);
  addNextLayerProbe(g, store, cfg, layer, r.out, positions, probes);
  g.output(r.key, 'present_key', OnnxDataType.FLOAT, [Hkv, 'S', hd]);
  g.output(r.value, 'present_value', OnnxDataType.FLOAT, [Hkv, 'S', hd]);
  addProbeOutputs(g, r, probes);
  return g;
}

/**
 * Prefill decoder layers `from`..`to` (inclusive) as one graph: nothing edits the tokens between
 * them, and each session run has a fixed cost (thread hand-off, scheduling, output copies) that
 * dominates short sequences, so a run of layers with no hook between them runs as one session.
 * The layers are the same nodes as `buildDecoderLayerGraph`'s; probes are computed in the last
 * layer only (a layer whose probes a hook reads ends a segment).
 *   in  hidden [T, D], position_ids int64 [T], attn_mask [T, T] additive, probe_rows int64 [R] (attention rows probe)
 *   out hidden_out [T, D] (leaving layer `to`), present_key_l / present_value_l [Hkv, T, hd] for each
 *       l in from..to, and layer `to`'s probe outputs named as in `buildDecoderLayerGraph`; when `to`
 *       is the last layer also logits [1, V], the final norm + LM head on the last row (the nodes of
 *       `buildLmHeadGraph`), so prefill does not pay a separate session run for one row
 */
export function buildDecoderSegmentGraph(store: TensorStore, cfg: TextConfig, from: number, to: number, probes: DecoderProbeSet): GraphBuilder {
  if (!(Number.isInteger(from) && Number.isInteger(to) && from >= 0 && from <= to && to < cfg.numLayers)) {
    throw new Error(`decoder segment ${from}..${to} is not a run of layers in 0..${cfg.numLayers - 1}.`);
  }
  const D = cfg.hiddenSize;
  const Hkv = cfg.numKvHeads;
  const hd = cfg.headDim;
  const g = new GraphBuilder(`decoder_layers_${from}_${to}_${decoderProbeKey(probes)}`);
  let x = g.input('hidden', OnnxDataType.FLOAT, ['T', D]);
  const positions = g.input('position_ids', OnnxDataType.INT64, ['T']);
  const mask = g.input('attn_mask', OnnxDataType.FLOAT, ['T', 'T']);
  // Every layer of a segment sees the same positions: one RoPE table serves them all.
  const rope = ropeTables(g, positions, hd, cfg.ropeTheta);
  let last: DecoderLayerValues | undefined;
  for (let l = from; l <= to; l++) {
    last = addDecoderLayer(g, store, cfg, l, { x, positions, mask, rope });
    g.output(last.key, `present_key_${l}`, OnnxDataType.FLOAT, [Hkv, 'T', hd]);
    g.output(last.value, `present_value_${l}`, OnnxDataType.FLOAT, [Hkv, 'T', hd]);
    x = last.out;
  }
  g.output(x, 'hidden_out', OnnxDataType.FLOAT, ['T', D]);
  addNextLayerProbe(g, store, cfg, to, x, positions, probes);
  if (to === cfg.numLayers - 1) g.output(addLmHead(g, store, cfg, g.op('Gather', [x, g.int64([-1])], { axis: 0 })), 'logits', OnnxDataType.FLOAT, [1, cfg.vocabSize]);
  addProbeOutputs(g, last!, probes);
  return g;
}

/** Adds the probe outputs of `probes` for one layer's values (the outputs `buildDecoderLayerGraph` documents). */
function addProbeOutputs(g: GraphBuilder, r: DecoderLayerValues, probes: DecoderProbeSet): void {
  if (probes.attentionRows) {
    const rows = g.input('probe_rows', OnnxDataType.INT64, ['R']);
    g.output(headMeanRows(g, r.probs, rows), 'attn_rows', OnnxDataType.FLOAT, ['R', 'S']);
  }
  if (probes.transitions) {
    const a = transitionStats(g, r.attnIn, r.attnOut);
    const m = transitionStats(g, r.mlpIn, r.mlpOut);
    g.output(a.ratio, 'attn_ratio', OnnxDataType.FLOAT, ['T']);
    g.output(a.cos, 'attn_cos', OnnxDataType.FLOAT, ['T']);
    g.output(m.ratio, 'mlp_ratio', OnnxDataType.FLOAT, ['T']);
    g.output(m.cos, 'mlp_cos', OnnxDataType.FLOAT, ['T']);
  }
}

/**
 * One greedy decoding step through every layer in a single graph: each session run costs a
 * thread hop and scheduling, which dominates at one token, so decoding fuses all layers.
 *   in  hidden [1, D]; per layer l: position_l int64 [1] (layers may differ: per-layer positions),
 *       past_key_l / past_value_l [Hkv, P_l, hd] (lengths may differ per layer)
 *   out present_key_l / present_value_l [Hkv, P_l + 1, hd]; logits [1, V] (final norm + LM head)
 */
export function buildDecodeStepGraph(store: TensorStore, cfg: TextConfig): GraphBuilder {
  const D = cfg.hiddenSize;
  const Hkv = cfg.numKvHeads;
  const hd = cfg.headDim;
  const g = new GraphBuilder('decode_step');
  let x = g.input('hidden', OnnxDataType.FLOAT, [1, D]);
  for (let l = 0; l < cfg.numLayers; l++) {
    const r = addDecoderLayer(g, store, cfg, l, {
      x,
      positions: g.input(`position_${l}`, OnnxDataType.INT64, [1]),
      mask: null,
      pastKey: g.input(`past_key_${l}`, OnnxDataType.FLOAT, [Hkv, `P${l}`, hd]),
      pastValue: g.input(`past_value_${l}`, OnnxDataType.FLOAT, [Hkv, `P${l}`, hd]),
    });
    g.output(r.key, `present_key_${l}`, OnnxDataType.FLOAT, [Hkv, `S${l}`, hd]);
    g.output(r.value, `present_value_${l}`, OnnxDataType.FLOAT, [Hkv, `S${l}`, hd]);
    x = r.out;
  }
  g.output(addLmHead(g, store, cfg, x), 'logits', OnnxDataType.FLOAT, [1, cfg.vocabSize]);
  return g;
}

/**
 * Query·key scores of decoder layer `layer` applied to hidden states entering it (TransPrune's
 * IGA): input RMSNorm, q/k projections and RoPE, then head-mean softmax rows for chosen queries.
 *   in  hidden [T, D], position_ids int64 [T], probe_rows int64 [R], row_mask [R, T] additive
 *   out qk_rows [R, T]
 */
export function buildQueryKeyScoreGraph(store: TensorStore, cfg: TextConfig, layer: number): GraphBuilder {
  const g = new GraphBuilder(`qk_scores_${layer}`);
  const x = g.input('hidden', OnnxDataType.FLOAT, ['T', cfg.hiddenSize]);
  const pos = g.input('position_ids', OnnxDataType.INT64, ['T']);
  const rows = g.input('probe_rows', OnnxDataType.INT64, ['R']);
  const rowMask = g.input('row_mask', OnnxDataType.FLOAT, ['R', 'T']);
  g.output(addQueryKeyScores(g, store, cfg, layer, x, pos, rows, rowMask), 'qk_rows', OnnxDataType.FLOAT, ['R', 'T']);
  return g;
}

/**
 * Adds decoder layer `layer`'s query·key scores on hidden states `x` [T, D] entering it at
 * positions `pos`: head-mean causal softmax rows [R, T] for query `rows` (`rowMask` [R, T]
 * additive). Its own RoPE table and weights, so the same nodes serve the standalone scorer and a
 * probe inside the previous layer's graph.
 */
export function addQueryKeyScores(g: GraphBuilder, store: TensorStore, cfg: TextConfig, layer: number, x: Value, pos: Value, rows: Value, rowMask: Value): Value {
  const D = cfg.hiddenSize;
  const H = cfg.numHeads;
  const Hkv = cfg.numKvHeads;
  const hd = cfg.headDim;
  const prefix = decoderLayerPrefix(layer);
  const w = readQk(store, cfg, prefix);
  const normed = rmsNorm(g, x, `${prefix}.input_layernorm`, w.inputNorm, cfg.rmsNormEps);
  // Queries only for the requested rows: project and rotate just those (cheap for |R| ≪ T). Their
  // RoPE rows are gathered from the keys' table (the same values as a table of their positions,
  // five ops fewer).
  const qRows = g.op('Gather', [normed, rows], { axis: 0 });
  const kTab = ropeTables(g, pos, hd, cfg.ropeTheta);
  const qTab = { cos: g.op('Gather', [kTab.cos, rows], { axis: 0 }), sin: g.op('Gather', [kTab.sin, rows], { axis: 0 }) };
  const q = applyRope(g, splitHeads(g, linear(g, qRows, `${prefix}.q_proj`, w.q.weight, H * hd, D, w.q.bias), H, hd), qTab.cos, qTab.sin);
  const k = applyRope(g, splitHeads(g, linear(g, normed, `${prefix}.k_proj`, w.k.weight, Hkv * hd, D, w.k.bias), Hkv, hd), kTab.cos, kTab.sin);
  const kt = g.op('Transpose', [repeatKv(g, k, Hkv, H / Hkv, hd)], { perm: [0, 2, 1] });
  const scores = g.op('Add', [g.op('Mul', [g.op('MatMul', [q, kt]), g.float(1 / Math.sqrt(hd))]), rowMask]);
  const probs = g.op('Softmax', [scores], { axis: -1 });
  return g.op('ReduceMean', [probs, g.int64([0])], { keepdims: 0 });
}

/** The `nextLayerRows` probe of a graph whose last layer is `layer` and output `x` (see DecoderProbeSet). */
function addNextLayerProbe(g: GraphBuilder, store: TensorStore, cfg: TextConfig, layer: number, x: Value, positions: Value, probes: DecoderProbeSet): void {
  if (!probes.nextLayerRows) return;
  if (layer + 1 >= cfg.numLayers) throw new Error(`next-layer q·k probe: there is no decoder layer ${layer + 1} after the last (${cfg.numLayers - 1}).`);
  const rows = g.input('next_rows', OnnxDataType.INT64, ['Rn']);
  const rowMask = g.input('next_row_mask', OnnxDataType.FLOAT, ['Rn', 'T']);
  g.output(addQueryKeyScores(g, store, cfg, layer + 1, x, positions, rows, rowMask), 'next_qk_rows', OnnxDataType.FLOAT, ['Rn', 'T']);
}

/** Adds the final RMSNorm + LM head on x [R, D]; returns logits [R, V]. Tied embeddings use embed_tokens. */
export function addLmHead(g: GraphBuilder, store: TensorStore, cfg: TextConfig, x: Value): Value {
  const D = cfg.hiddenSize;
  const V = cfg.vocabSize;
  const normed = rmsNorm(g, x, 'language_model.model.norm', store.get('language_model.model.norm.weight', [D]), cfg.rmsNormEps);
  const headName = cfg.tieWordEmbeddings ? 'language_model.model.embed_tokens.weight' : 'language_model.lm_head.weight';
  return linear(g, normed, 'lm_head', store.get(headName, [V, D]), V, D);
}

/** Final RMSNorm + LM head: in hidden [R, D] → out logits [R, V]. */
export function buildLmHeadGraph(store: TensorStore, cfg: TextConfig): GraphBuilder {
  const g = new GraphBuilder('lm_head');
  const x = g.input('hidden', OnnxDataType.FLOAT, ['R', cfg.hiddenSize]);
  g.output(addLmHead(g, store, cfg, x), 'logits', OnnxDataType.FLOAT, ['R', cfg.vocabSize]);
  return g;
}
