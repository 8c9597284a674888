/**
 * CLIP vision tower graphs (HF CLIPVisionTransformer math) and the LLaVA projector.
 *
 * Embeddings graph: in pixel_values [1, C, H, W] → out hidden [N+1, D] = pre_layrnorm(
 *   [class_embedding; conv_patch(pixels)ᵀ] + position_embedding). This is HF's hidden_states[0].
 * Encoder layer graph: in hidden [N, D] (N may shrink after a hook merges tokens) → out
 *   hidden_out [N, D]; probes: cls_attn [N] (head-mean attention row of token 0 over all keys),
 *   key_mean [N, hd] (keys averaged over heads, as VisionZip/ToMe-style metrics use).
 * Projector graph: in features [N, Dv] → out embeds [N, Dt] (linear_1 → act → linear_2).
 */
import type { Activation, TensorStore, TextConfig, VisionConfig } from '../checkpoint/types';
import { GraphBuilder } from './graph-builder';
import { OnnxDataType } from './onnx-proto';
import { activation, attention, cosineGram, layerNorm, linear, mergeHeads, splitHeads } from './ops';

/** Which probes a ViT-layer graph computes. */
export interface VitProbeSet {
  /** Head-mean attention row of the CLS token (token 0) over all keys. */
  clsAttention?: boolean;
  /** Keys averaged over heads, [N, headDim]. */
  keyMean?: boolean;
}

/** Which probes the projector graph computes. */
export interface ProjectorProbeSet {
  /** Cosine similarity of every pair of projected tokens, [N, N] (DivPrune, ToDRE). */
  cosine?: boolean;
}

/** A stable key for a projector probe set (graph cache key). */
export function projectorProbeKey(p: ProjectorProbeSet): string {
  return p.cosine ? 'cos' : '-';
}

/** A stable key for a ViT probe set (graph cache key). */
export function vitProbeKey(p: VitProbeSet): string {
  return `${p.clsAttention ? 'c' : '-'}${p.keyMean ? 'k' : '-'}`;
}

const VIT = 'vision_tower.vision_model';

/** Builds the patch/CLS/position embeddings followed by pre_layrnorm. */
export function buildVisionEmbeddingsGraph(store: TensorStore, cfg: VisionConfig): GraphBuilder {
  const D = cfg.hiddenSize;
  const P = cfg.patchSize;
  const grid = cfg.imageSize / P;
  if (!Number.isInteger(grid)) throw new Error(`vision_config: image_size ${cfg.imageSize} is not a multiple of patch_size ${P}.`);
  const N = grid * grid;
  const g = new GraphBuilder('vision_embeddings');
  const pixels = g.input('pixel_values', OnnxDataType.FLOAT, [1, cfg.numChannels, cfg.imageSize, cfg.imageSize]);
  const kernel = g.weight(`${VIT}.embeddings.patch_embedding.weight`, store.get(`${VIT}.embeddings.patch_embedding.weight`, [D, cfg.numChannels, P, P]), [D, cfg.numChannels, P, P]);
  const conv = g.op('Conv', [pixels, kernel], { kernel_shape: [P, P], strides: [P, P] });
  const patches = g.op('Transpose', [g.op('Reshape', [conv, g.int64([D, N])])], { perm: [1, 0] });
  const cls = g.weight(`${VIT}.embeddings.class_embedding`, store.get(`${VIT}.embeddings.class_embedding`, [D]), [1, D]);
  const tokens = g.op('Concat', [cls, patches], { axis: 0 });
  const posEmb = g.weight(`${VIT}.embeddings.position_embedding.weight`, store.get(`${VIT}.embeddings.position_embedding.weight`, [N + 1, D]), [N + 1, D]);
  const embedded = g.op('Add', [tokens, posEmb]);
  const out = layerNorm(g, embedded, `${VIT}.pre_layrnorm`, store.get(`${VIT}.pre_layrnorm.weight`, [D]), store.get(`${VIT}.pre_layrnorm.bias`, [D]), cfg.layerNormEps);
  g.output(out, 'hidden_out', OnnxDataType.FLOAT, [N + 1, D]);
  return g;
}

/** Builds CLIP encoder layer `layer` (pre-LN attention + pre-LN MLP, both residual) with probes. */
export function buildVisionLayerGraph(store: TensorStore, cfg: VisionConfig, layer: number, probes: VitProbeSet): GraphBuilder {
  const D = cfg.hiddenSize;
  const H = cfg.numHeads;
  const hd = D / H;
  const M = cfg.intermediateSize;
  const p = `${VIT}.encoder.layers.${layer}`;
  const get = (suffix: string, shape: number[]): Float32Array => store.get(`${p}.${suffix}`, shape);
  const g = new GraphBuilder(`vision_layer_${layer}_${vitProbeKey(probes)}`);
  const x = g.input('hidden', OnnxDataType.FLOAT, ['N', D]);

  const n1 = layerNorm(g, x, `${p}.layer_norm1`, get('layer_norm1.weight', [D]), get('layer_norm1.bias', [D]), cfg.layerNormEps);
  const q = splitHeads(g, linear(g, n1, `${p}.q_proj`, get('self_attn.q_proj.weight', [D, D]), D, D, get('self_attn.q_proj.bias', [D])), H, hd);
  const k = splitHeads(g, linear(g, n1, `${p}.k_proj`, get('self_attn.k_proj.weight', [D, D]), D, D, get('self_attn.k_proj.bias', [D])), H, hd);
  const v = splitHeads(g, linear(g, n1, `${p}.v_proj`, get('self_attn.v_proj.weight', [D, D]), D, D, get('self_attn.v_proj.bias', [D])), H, hd);
  const { context, probs } = attention(g, q, k, v, 1 / Math.sqrt(hd), null);
  const attnOut = linear(g, mergeHeads(g, context, H, hd), `${p}.out_proj`, get('self_attn.out_proj.weight', [D, D]), D, D, get('self_attn.out_proj.bias', [D]));
  const h1 = g.op('Add', [x, attnOut]);

  const n2 = layerNorm(g, h1, `${p}.layer_norm2`, get('layer_norm2.weight', [D]), get('layer_norm2.bias', [D]), cfg.layerNormEps);
  const f1 = activation(g, linear(g, n2, `${p}.fc1`, get('mlp.fc1.weight', [M, D]), M, D, get('mlp.fc1.bias', [M])), cfg.hiddenAct);
  const f2 = linear(g, f1, `${p}.fc2`, get('mlp.fc2.weight', [D, M]), D, M, get('mlp.fc2.bias', [D]));
  g.output(g.op('Add', [h1, f2]), 'hidden_out', OnnxDataType.FLOAT, ['N', D]);

  if (probes.clsAttention) {
    const row0 = g.op('Gather', [probs, g.int64([0], [])], { axis: 1 });
    g.output(g.op('ReduceMean', [row0, g.int64([0])], { keepdims: 0 }), 'cls_attn', OnnxDataType.FLOAT, ['N']);
  }
  if (probes.keyMean) {
    g.output(g.op('ReduceMean', [k, g.int64([0])], { keepdims: 0 }), 'key_mean', OnnxDataType.FLOAT, ['N', hd]);
  }
  return g;
}

/**
 * Builds the LLaVA projector: linear_1 → projector_hidden_act → linear_2 (biases unless `hasBias`
 * is false). With the `cosine` probe it also outputs `cosine` [N, N], the cosine similarities of
 * the projected tokens.
 */
export function buildProjectorGraph(store: TensorStore, vision: VisionConfig, text: TextConfig, act: Activation, hasBias = true, probes: ProjectorProbeSet = {}): GraphBuilder {
  const Dv = vision.hiddenSize;
  const Dt = text.hiddenSize;
  const p = 'multi_modal_projector';
  const g = new GraphBuilder(`projector_${projectorProbeKey(probes)}`);
  const x = g.input('features', OnnxDataType.FLOAT, ['N', Dv]);
  const bias = (name: string): Float32Array | undefined => (hasBias ? store.get(`${p}.${name}.bias`, [Dt]) : undefined);
  const h = activation(g, linear(g, x, `${p}.linear_1`, store.get(`${p}.linear_1.weight`, [Dt, Dv]), Dt, Dv, bias('linear_1')), act);
  const y = linear(g, h, `${p}.linear_2`, store.get(`${p}.linear_2.weight`, [Dt, Dt]), Dt, Dt, bias('linear_2'));
  g.output(y, 'embeds', OnnxDataType.FLOAT, ['N', Dt]);
  if (probes.cosine) g.output(cosineGram(g, y), 'cosine', OnnxDataType.FLOAT, ['N', 'N']);
  return g;
}
