/**
 * Llama-style decoder graphs (HF LlamaDecoderLayer math): one graph per layer, the next layer's
 * query·key scorer (TransPrune's IGA), and the final RMSNorm + LM head.
 *
 * Layer graph I/O (batch 1; T new tokens, P cached tokens, S = P + T):
 *   in  hidden [T, D], position_ids int64 [T], attn_mask [T, S] additive,
 *       past_key/past_value [Hkv, P, hd] (only when `withPast`), probe_rows int64 [R] (attention rows probe)
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
}

/** A stable key for a probe set, used to cache built graph variants. */
export function decoderProbeKey(p: DecoderProbeSet): string {
  return `${p.attentionRows ? 'r' : '-'}${p.transitions ? 't' : '-'}`;
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

/** Builds decoder layer `layer` with the given probes; `withPast` adds past K/V inputs (decoding). */
export function buildDecoderLayerGraph(store: TensorStore, cfg: TextConfig, layer: number, probes: DecoderProbeSet, withPast: boolean): GraphBuilder {
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
  const g = new GraphBuilder(`decoder_layer_${layer}_${decoderProbeKey(probes)}${withPast ? '_past' : ''}`);

  const x = g.input('hidden', OnnxDataType.FLOAT, ['T', D]);
  const pos = g.input('position_ids', OnnxDataType.INT64, ['T']);
  const mask = g.input('attn_mask', OnnxDataType.FLOAT, ['T', 'S']);

  // Attention sublayer.
  const normed = rmsNorm(g, x, `${prefix}.input_layernorm`, w.inputNorm, cfg.rmsNormEps);
  const { cos, sin } = ropeTables(g, pos, hd, cfg.ropeTheta);
  const q = applyRope(g, splitHeads(g, linear(g, normed, `${prefix}.q_proj`, w.q.weight, H * hd, D, w.q.bias), H, hd), cos, sin);
  let k = applyRope(g, splitHeads(g, linear(g, normed, `${prefix}.k_proj`, w.k.weight, Hkv * hd, D, w.k.bias), Hkv, hd), cos, sin);
  let v = splitHeads(g, linear(g, normed, `${prefix}.v_proj`, wv.weight, Hkv * hd, D, wv.bias), Hkv, hd);
  if (withPast) {
    const pk = g.input('past_key', OnnxDataType.FLOAT, [Hkv, 'P', hd]);
    const pv = g.input('past_value', OnnxDataType.FLOAT, [Hkv, 'P', hd]);
    k = g.op('Concat', [pk, k], { axis: 1 });
    v = g.op('Concat', [pv, v], { axis: 1 });
  }
  g.output(k, 'present_key', OnnxDataType.FLOAT, [Hkv, 'S', hd]);
  g.output(v, 'present_value', OnnxDataType.FLOAT, [Hkv, 'S', hd]);
  const groups = H / Hkv;
  const { context, probs } = attention(g, q, repeatKv(g, k, Hkv, groups, hd), repeatKv(g, v, Hkv, groups, hd), 1 / Math.sqrt(hd), mask);
  const o = readLinear(store, `${prefix}.self_attn.o_proj`, D, H * hd, attnBias);
  const attnOut = linear(g, mergeHeads(g, context, H, hd), `${prefix}.o_proj`, o.weight, D, H * hd, o.bias);
  const h1 = g.op('Add', [x, attnOut]);

  // MLP sublayer (SiLU-gated).
  const postNorm = store.get(`${prefix}.post_attention_layernorm.weight`, [D]);
  const normed2 = rmsNorm(g, h1, `${prefix}.post_attention_layernorm`, postNorm, cfg.rmsNormEps);
  const wGate = readLinear(store, `${prefix}.mlp.gate_proj`, M, D, mlpBias);
  const wUp = readLinear(store, `${prefix}.mlp.up_proj`, M, D, mlpBias);
  const wDown = readLinear(store, `${prefix}.mlp.down_proj`, D, M, mlpBias);
  const gate = linear(g, normed2, `${prefix}.gate_proj`, wGate.weight, M, D, wGate.bias);
  const up = linear(g, normed2, `${prefix}.up_proj`, wUp.weight, M, D, wUp.bias);
  const act = g.op('Mul', [activation(g, gate, cfg.hiddenAct), up]);
  const mlpOut = linear(g, act, `${prefix}.down_proj`, wDown.weight, D, M, wDown.bias);
  g.output(g.op('Add', [h1, mlpOut]), 'hidden_out', OnnxDataType.FLOAT, ['T', D]);

  if (probes.attentionRows) {
    const rows = g.input('probe_rows', OnnxDataType.INT64, ['R']);
    g.output(headMeanRows(g, probs, rows), 'attn_rows', OnnxDataType.FLOAT, ['R', 'S']);
  }
  if (probes.transitions) {
    const a = transitionStats(g, normed, attnOut);
    const m = transitionStats(g, normed2, mlpOut);
    g.output(a.ratio, 'attn_ratio', OnnxDataType.FLOAT, ['T']);
    g.output(a.cos, 'attn_cos', OnnxDataType.FLOAT, ['T']);
    g.output(m.ratio, 'mlp_ratio', OnnxDataType.FLOAT, ['T']);
    g.output(m.cos, 'mlp_cos', OnnxDataType.FLOAT, ['T']);
  }
  return g;
}

/**
 * Query·key scores of decoder layer `layer` applied to hidden states entering it (TransPrune's
 * IGA): input RMSNorm, q/k projections and RoPE, then head-mean softmax rows for chosen queries.
 *   in  hidden [T, D], position_ids int64 [T], probe_rows int64 [R], row_mask [R, T] additive
 *   out qk_rows [R, T]
 */
export function buildQueryKeyScoreGraph(store: TensorStore, cfg: TextConfig, layer: number): GraphBuilder {
  const D = cfg.hiddenSize;
  const H = cfg.numHeads;
  const Hkv = cfg.numKvHeads;
  const hd = cfg.headDim;
  const prefix = decoderLayerPrefix(layer);
  const w = readQk(store, cfg, prefix);
  const g = new GraphBuilder(`qk_scores_${layer}`);
  const x = g.input('hidden', OnnxDataType.FLOAT, ['T', D]);
  const pos = g.input('position_ids', OnnxDataType.INT64, ['T']);
  const rows = g.input('probe_rows', OnnxDataType.INT64, ['R']);
  const rowMask = g.input('row_mask', OnnxDataType.FLOAT, ['R', 'T']);
  const normed = rmsNorm(g, x, `${prefix}.input_layernorm`, w.inputNorm, cfg.rmsNormEps);
  // Queries only for the requested rows: project and rotate just those (cheap for |R| ≪ T).
  const qRows = g.op('Gather', [normed, rows], { axis: 0 });
  const qPos = g.op('Gather', [pos, rows], { axis: 0 });
  const qTab = ropeTables(g, qPos, hd, cfg.ropeTheta);
  const kTab = ropeTables(g, pos, hd, cfg.ropeTheta);
  const q = applyRope(g, splitHeads(g, linear(g, qRows, `${prefix}.q_proj`, w.q.weight, H * hd, D, w.q.bias), H, hd), qTab.cos, qTab.sin);
  const k = applyRope(g, splitHeads(g, linear(g, normed, `${prefix}.k_proj`, w.k.weight, Hkv * hd, D, w.k.bias), Hkv, hd), kTab.cos, kTab.sin);
  const kt = g.op('Transpose', [repeatKv(g, k, Hkv, H / Hkv, hd)], { perm: [0, 2, 1] });
  const scores = g.op('Add', [g.op('Mul', [g.op('MatMul', [q, kt]), g.float(1 / Math.sqrt(hd))]), rowMask]);
  const probs = g.op('Softmax', [scores], { axis: -1 });
  g.output(g.op('ReduceMean', [probs, g.int64([0])], { keepdims: 0 }), 'qk_rows', OnnxDataType.FLOAT, ['R', 'T']);
  return g;
}

/** Final RMSNorm + LM head: in hidden [R, D] → out logits [R, V]. Tied embeddings use embed_tokens. */
export function buildLmHeadGraph(store: TensorStore, cfg: TextConfig): GraphBuilder {
  const D = cfg.hiddenSize;
  const V = cfg.vocabSize;
  const g = new GraphBuilder('lm_head');
  const x = g.input('hidden', OnnxDataType.FLOAT, ['R', D]);
  const normed = rmsNorm(g, x, 'language_model.model.norm', store.get('language_model.model.norm.weight', [D]), cfg.rmsNormEps);
  const headName = cfg.tieWordEmbeddings ? 'language_model.model.embed_tokens.weight' : 'language_model.lm_head.weight';
  const logits: Value = linear(g, normed, 'lm_head', store.get(headName, [V, D]), V, D);
  g.output(logits, 'logits', OnnxDataType.FLOAT, ['R', V]);
  return g;
}
