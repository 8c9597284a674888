/**
 * The tensors a LLaVA-1.5 checkpoint must hold, with the shape each must have, derived from the
 * config alone. Loading checks every one, so a config/weights mismatch fails at load time with
 * the tensor's name instead of deep inside a graph build.
 */
import { visionLayersNeeded } from './config';
import { EMBED_TOKENS, LM_HEAD, VISION_PREFIX, decoderLayerPrefix, visionLayerPrefix } from './names';
import type { LlavaConfig } from './types';

/** One tensor the model needs (canonical name) and its shape. */
export interface ExpectedTensor {
  name: string;
  shape: number[];
  /**
   * True for tensors real checkpoints carry but LLaVA never uses (the ViT's post-layernorm and any
   * ViT layer after the feature layer): checked when present, not required.
   */
  optional: boolean;
}

function linear(prefix: string, out: number, inp: number, bias: boolean, optional: boolean): ExpectedTensor[] {
  const tensors = [{ name: `${prefix}.weight`, shape: [out, inp], optional }];
  if (bias) tensors.push({ name: `${prefix}.bias`, shape: [out], optional });
  return tensors;
}

function layerNorm(prefix: string, size: number, optional: boolean): ExpectedTensor[] {
  return [
    { name: `${prefix}.weight`, shape: [size], optional },
    { name: `${prefix}.bias`, shape: [size], optional },
  ];
}

/** Tensors of the CLIP vision tower: embeddings, pre-layernorm, encoder layers, post-layernorm. */
export function expectedVisionTensors(config: LlavaConfig): ExpectedTensor[] {
  const v = config.vision;
  const d = v.hiddenSize;
  const positions = (v.imageSize / v.patchSize) ** 2 + 1;
  const needed = visionLayersNeeded(config);
  const tensors: ExpectedTensor[] = [
    { name: `${VISION_PREFIX}embeddings.class_embedding`, shape: [d], optional: false },
    { name: `${VISION_PREFIX}embeddings.patch_embedding.weight`, shape: [d, v.numChannels, v.patchSize, v.patchSize], optional: false },
    { name: `${VISION_PREFIX}embeddings.position_embedding.weight`, shape: [positions, d], optional: false },
    // "pre_layrnorm" is HF's spelling in CLIPVisionTransformer.
    ...layerNorm(`${VISION_PREFIX}pre_layrnorm`, d, false),
  ];
  for (let i = 0; i < v.numLayers; i++) {
    const p = visionLayerPrefix(i);
    const optional = i >= needed;
    for (const proj of ['q_proj', 'k_proj', 'v_proj', 'out_proj']) tensors.push(...linear(`${p}self_attn.${proj}`, d, d, true, optional));
    tensors.push(
      ...layerNorm(`${p}layer_norm1`, d, optional),
      ...linear(`${p}mlp.fc1`, v.intermediateSize, d, true, optional),
      ...linear(`${p}mlp.fc2`, d, v.intermediateSize, true, optional),
      ...layerNorm(`${p}layer_norm2`, d, optional),
    );
  }
  tensors.push(...layerNorm(`${VISION_PREFIX}post_layernorm`, d, true));
  return tensors;
}

/** Tensors of the projector: linear_1 (vision width → text width), activation, linear_2. */
export function expectedProjectorTensors(config: LlavaConfig): ExpectedTensor[] {
  const bias = config.projectorBias ?? true;
  const dt = config.text.hiddenSize;
  return [
    ...linear('multi_modal_projector.linear_1', dt, config.vision.hiddenSize, bias, false),
    ...linear('multi_modal_projector.linear_2', dt, dt, bias, false),
  ];
}

/** Tensors of the Llama decoder: embeddings, layers (GQA-sized k/v), final norm, LM head. */
export function expectedTextTensors(config: LlavaConfig): ExpectedTensor[] {
  const t = config.text;
  const d = t.hiddenSize;
  const qWidth = t.numHeads * t.headDim;
  const kvWidth = t.numKvHeads * t.headDim;
  const attnBias = t.attentionBias ?? false;
  const mlpBias = t.mlpBias ?? false;
  const tensors: ExpectedTensor[] = [{ name: EMBED_TOKENS, shape: [t.vocabSize, d], optional: false }];
  for (let i = 0; i < t.numLayers; i++) {
    const p = decoderLayerPrefix(i);
    tensors.push(
      { name: `${p}input_layernorm.weight`, shape: [d], optional: false },
      ...linear(`${p}self_attn.q_proj`, qWidth, d, attnBias, false),
      ...linear(`${p}self_attn.k_proj`, kvWidth, d, attnBias, false),
      ...linear(`${p}self_attn.v_proj`, kvWidth, d, attnBias, false),
      ...linear(`${p}self_attn.o_proj`, d, qWidth, attnBias, false),
      { name: `${p}post_attention_layernorm.weight`, shape: [d], optional: false },
      ...linear(`${p}mlp.gate_proj`, t.intermediateSize, d, mlpBias, false),
      ...linear(`${p}mlp.up_proj`, t.intermediateSize, d, mlpBias, false),
      ...linear(`${p}mlp.down_proj`, d, t.intermediateSize, mlpBias, false),
    );
  }
  tensors.push({ name: 'language_model.model.norm.weight', shape: [d], optional: false }, { name: LM_HEAD, shape: [t.vocabSize, d], optional: false });
  return tensors;
}

/** Every tensor of the model, in a stable order (vision, projector, text). */
export function expectedTensors(config: LlavaConfig): ExpectedTensor[] {
  return [...expectedVisionTensors(config), ...expectedProjectorTensors(config), ...expectedTextTensors(config)];
}
