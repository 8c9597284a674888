/**
 * Float64 reference of the CLIP vision tower and the LLaVA projector (HF CLIPVisionTransformer,
 * LlavaMultiModalProjector), written independently of the graph builder.
 */
import type { LlavaConfig, TensorStore, VisionConfig } from '../../../src/engine/models/checkpoint/types';
import { activate, add, attention, f64, layerNorm, linear, type F64 } from './math';

const VIT = 'vision_tower.vision_model';

/** Embeddings + pre_layrnorm for one [C, H, W] image: [N+1, D] (HF hidden_states[0]). */
export function visionEmbeddingsRef(pixels: Float32Array, store: TensorStore, cfg: VisionConfig): F64 {
  const D = cfg.hiddenSize;
  const P = cfg.patchSize;
  const C = cfg.numChannels;
  const S = cfg.imageSize;
  const grid = S / P;
  const N = grid * grid;
  const kernel = store.get(`${VIT}.embeddings.patch_embedding.weight`);
  const cls = store.get(`${VIT}.embeddings.class_embedding`);
  const pos = store.get(`${VIT}.embeddings.position_embedding.weight`);
  const x = new Float64Array((N + 1) * D);
  for (let d = 0; d < D; d++) x[d] = cls[d]! + pos[d]!;
  for (let gy = 0; gy < grid; gy++) {
    for (let gx = 0; gx < grid; gx++) {
      const n = gy * grid + gx + 1;
      for (let d = 0; d < D; d++) {
        let s = 0;
        for (let c = 0; c < C; c++)
          for (let ky = 0; ky < P; ky++)
            for (let kx = 0; kx < P; kx++) s += kernel[((d * C + c) * P + ky) * P + kx]! * pixels[(c * S + gy * P + ky) * S + gx * P + kx]!;
        x[n * D + d] = s + pos[n * D + d]!;
      }
    }
  }
  return layerNorm(x, N + 1, D, store.get(`${VIT}.pre_layrnorm.weight`), store.get(`${VIT}.pre_layrnorm.bias`), cfg.layerNormEps);
}

/** One CLIP encoder layer on [N, D], with its probes computed from the full attention. */
export function visionLayerRef(x: F64, N: number, store: TensorStore, cfg: VisionConfig, layer: number): { out: F64; clsAttn: F64; keyMean: F64 } {
  const D = cfg.hiddenSize;
  const H = cfg.numHeads;
  const hd = D / H;
  const M = cfg.intermediateSize;
  const w = (s: string): Float32Array => store.get(`${VIT}.encoder.layers.${layer}.${s}`);
  const n1 = layerNorm(x, N, D, w('layer_norm1.weight'), w('layer_norm1.bias'), cfg.layerNormEps);
  const q = linear(n1, N, D, w('self_attn.q_proj.weight'), D, w('self_attn.q_proj.bias'));
  const k = linear(n1, N, D, w('self_attn.k_proj.weight'), D, w('self_attn.k_proj.bias'));
  const v = linear(n1, N, D, w('self_attn.v_proj.weight'), D, w('self_attn.v_proj.bias'));
  const { context, probs } = attention(q, k, v, N, N, H, H, hd, null);
  const h1 = add(x, linear(context, N, D, w('self_attn.out_proj.weight'), D, w('self_attn.out_proj.bias')));
  const n2 = layerNorm(h1, N, D, w('layer_norm2.weight'), w('layer_norm2.bias'), cfg.layerNormEps);
  const f1 = activate(linear(n2, N, D, w('mlp.fc1.weight'), M, w('mlp.fc1.bias')), cfg.hiddenAct);
  const out = add(h1, linear(f1, N, M, w('mlp.fc2.weight'), D, w('mlp.fc2.bias')));
  const clsAttn = new Float64Array(N);
  for (let h = 0; h < H; h++) for (let s = 0; s < N; s++) clsAttn[s] = clsAttn[s]! + probs[h * N * N + s]! / H;
  const keyMean = new Float64Array(N * hd);
  for (let n = 0; n < N; n++) for (let h = 0; h < H; h++) for (let i = 0; i < hd; i++) keyMean[n * hd + i] = keyMean[n * hd + i]! + k[n * D + h * hd + i]! / H;
  return { out, clsAttn, keyMean };
}

/** All hidden states of the tower for one image: [embeddings, layer 0 out, …]. */
export function visionHiddenStatesRef(pixels: Float32Array, store: TensorStore, cfg: VisionConfig): F64[] {
  const N = (cfg.imageSize / cfg.patchSize) ** 2 + 1;
  const states = [visionEmbeddingsRef(pixels, store, cfg)];
  for (let l = 0; l < cfg.numLayers; l++) states.push(visionLayerRef(states[l]!, N, store, cfg, l).out);
  return states;
}

/** LLaVA feature selection: hidden_states[vision_feature_layer], CLS dropped for 'default'. */
export function selectFeaturesRef(states: F64[], cfg: LlavaConfig): { features: F64; count: number } {
  const idx = cfg.visionFeatureLayer < 0 ? states.length + cfg.visionFeatureLayer : cfg.visionFeatureLayer;
  const h = states[idx]!;
  const D = cfg.vision.hiddenSize;
  const N = h.length / D;
  if (cfg.visionFeatureSelectStrategy === 'full') return { features: h, count: N };
  return { features: h.slice(D), count: N - 1 };
}

/** The projector on [N, Dv] → [N, Dt]. */
export function projectorRef(x: F64, N: number, store: TensorStore, cfg: LlavaConfig): F64 {
  const Dv = cfg.vision.hiddenSize;
  const Dt = cfg.text.hiddenSize;
  const bias = (n: string): Float32Array | undefined => ((cfg.projectorBias ?? true) ? store.get(`multi_modal_projector.${n}.bias`) : undefined);
  const h = activate(linear(x, N, Dv, store.get('multi_modal_projector.linear_1.weight'), Dt, bias('linear_1')), cfg.projectorHiddenAct);
  return linear(h, N, Dt, store.get('multi_modal_projector.linear_2.weight'), Dt, bias('linear_2'));
}

export { f64 };
