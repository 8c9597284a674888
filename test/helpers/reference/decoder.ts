/**
 * Float64 reference of the Llama decoder (HF LlamaDecoderLayer, LlamaForCausalLM head) and of the
 * probes the engine reads from it: attention rows, sublayer transitions, next-layer q·k scores.
 */
import type { TensorStore, TextConfig } from '../../../src/engine/models/checkpoint/types';
import { activate, add, attention, headMeanRows, linear, rmsNorm, rope, type F64 } from './math';

/** Per-layer K/V cache in the reference layout [S, Hkv·hd] (after RoPE for K). */
export interface RefCache {
  k: F64;
  v: F64;
  length: number;
}

/** A reference decoder layer's output and probes. */
export interface RefLayerResult {
  out: F64;
  /** K/V of past + new tokens. */
  cache: RefCache;
  /** Full softmax [H, T, S] (reference only; the engine never outputs this). */
  probs: F64;
  attnRatio: F64;
  attnCos: F64;
  mlpRatio: F64;
  mlpCos: F64;
}

function transition(input: F64, output: F64, T: number, D: number): { ratio: F64; cos: F64 } {
  const ratio = new Float64Array(T);
  const cos = new Float64Array(T);
  for (let t = 0; t < T; t++) {
    let ni = 0;
    let no = 0;
    let dot = 0;
    for (let i = 0; i < D; i++) {
      const a = input[t * D + i]!;
      const b = output[t * D + i]!;
      ni += a * a;
      no += b * b;
      dot += a * b;
    }
    ratio[t] = Math.sqrt(no) / Math.sqrt(ni);
    cos[t] = dot / Math.max(Math.sqrt(ni) * Math.sqrt(no), 1e-8);
  }
  return { ratio, cos };
}

/**
 * Decoder layer on T new tokens after `past` (may be empty). `masked(t, s)` over s ∈ [0, S) hides
 * keys from queries; the default is causal with the new tokens placed after the past.
 */
export function decoderLayerRef(x: F64, positions: readonly number[], store: TensorStore, cfg: TextConfig, layer: number, past?: RefCache, masked?: (t: number, s: number) => boolean): RefLayerResult {
  const D = cfg.hiddenSize;
  const H = cfg.numHeads;
  const Hkv = cfg.numKvHeads;
  const hd = cfg.headDim;
  const M = cfg.intermediateSize;
  const T = positions.length;
  const P = past?.length ?? 0;
  const w = (s: string): Float32Array => store.get(`language_model.model.layers.${layer}.${s}`);
  const ab = (s: string): Float32Array | undefined => (cfg.attentionBias ? w(`self_attn.${s}.bias`) : undefined);
  const mb = (s: string): Float32Array | undefined => (cfg.mlpBias ? w(`mlp.${s}.bias`) : undefined);
  const normed = rmsNorm(x, T, D, w('input_layernorm.weight'), cfg.rmsNormEps);
  const q = rope(linear(normed, T, D, w('self_attn.q_proj.weight'), H * hd, ab('q_proj')), positions, H, hd, cfg.ropeTheta);
  const kNew = rope(linear(normed, T, D, w('self_attn.k_proj.weight'), Hkv * hd, ab('k_proj')), positions, Hkv, hd, cfg.ropeTheta);
  const vNew = linear(normed, T, D, w('self_attn.v_proj.weight'), Hkv * hd, ab('v_proj'));
  const k = new Float64Array((P + T) * Hkv * hd);
  const v = new Float64Array((P + T) * Hkv * hd);
  if (past) {
    k.set(past.k);
    v.set(past.v);
  }
  k.set(kNew, P * Hkv * hd);
  v.set(vNew, P * Hkv * hd);
  const S = P + T;
  const { context, probs } = attention(q, k, v, T, S, H, Hkv, hd, masked ?? ((t, s) => s > P + t));
  const attnOut = linear(context, T, H * hd, w('self_attn.o_proj.weight'), D, ab('o_proj'));
  const h1 = add(x, attnOut);
  const normed2 = rmsNorm(h1, T, D, w('post_attention_layernorm.weight'), cfg.rmsNormEps);
  const gate = activate(linear(normed2, T, D, w('mlp.gate_proj.weight'), M, mb('gate_proj')), cfg.hiddenAct);
  const up = linear(normed2, T, D, w('mlp.up_proj.weight'), M, mb('up_proj'));
  const mlpOut = linear(gate.map((g, i) => g * up[i]!), T, M, w('mlp.down_proj.weight'), D, mb('down_proj'));
  const a = transition(normed, attnOut, T, D);
  const m = transition(normed2, mlpOut, T, D);
  return { out: add(h1, mlpOut), cache: { k, v, length: S }, probs, attnRatio: a.ratio, attnCos: a.cos, mlpRatio: m.ratio, mlpCos: m.cos };
}

/** Head-mean softmax rows of layer `layer`'s q·k on hidden states entering it (causal). */
export function queryKeyRowsRef(x: F64, positions: readonly number[], store: TensorStore, cfg: TextConfig, layer: number, rows: readonly number[]): F64 {
  const D = cfg.hiddenSize;
  const T = positions.length;
  const w = (s: string): Float32Array => store.get(`language_model.model.layers.${layer}.${s}`);
  const ab = (s: string): Float32Array | undefined => (cfg.attentionBias ? w(`self_attn.${s}.bias`) : undefined);
  const normed = rmsNorm(x, T, D, w('input_layernorm.weight'), cfg.rmsNormEps);
  const q = rope(linear(normed, T, D, w('self_attn.q_proj.weight'), cfg.numHeads * cfg.headDim, ab('q_proj')), positions, cfg.numHeads, cfg.headDim, cfg.ropeTheta);
  const k = rope(linear(normed, T, D, w('self_attn.k_proj.weight'), cfg.numKvHeads * cfg.headDim, ab('k_proj')), positions, cfg.numKvHeads, cfg.headDim, cfg.ropeTheta);
  const { probs } = attention(q, k, k, T, T, cfg.numHeads, cfg.numKvHeads, cfg.headDim, (t, s) => s > t);
  return headMeanRows(probs, cfg.numHeads, T, T, rows);
}

/** Final norm + LM head on [R, D] rows → logits [R, V]. */
export function lmHeadRef(x: F64, R: number, store: TensorStore, cfg: TextConfig): F64 {
  const normed = rmsNorm(x, R, cfg.hiddenSize, store.get('language_model.model.norm.weight'), cfg.rmsNormEps);
  const head = store.get(cfg.tieWordEmbeddings ? 'language_model.model.embed_tokens.weight' : 'language_model.lm_head.weight');
  return linear(normed, R, cfg.hiddenSize, head, cfg.vocabSize);
}

/** Token embeddings for ids: [n, D]. */
export function embedRef(ids: readonly number[], store: TensorStore, cfg: TextConfig): F64 {
  const table = store.get('language_model.model.embed_tokens.weight');
  const D = cfg.hiddenSize;
  const out = new Float64Array(ids.length * D);
  ids.forEach((id, t) => {
    for (let i = 0; i < D; i++) out[t * D + i] = table[id * D + i]!;
  });
  return out;
}
