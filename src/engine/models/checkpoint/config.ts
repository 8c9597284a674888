/**
 * config.json of a Hugging Face LLaVA folder → LlavaConfig.
 *
 * Missing keys take the defaults transformers would use, so a folder loads here exactly as it
 * would in `LlavaForConditionalGeneration.from_pretrained`:
 * - no `vision_config` at all → LlavaConfig's built-in CLIP ViT-L/14-336 tower;
 * - a partial `vision_config` → CLIPVisionConfig defaults for the missing keys;
 * - `text_config` (partial or absent) → LlamaConfig defaults: `num_key_value_heads` defaults to
 *   `num_attention_heads`, `head_dim` to hidden/heads, `rope_theta` 10000, `rms_norm_eps` 1e-6.
 *   (Released llava-1.5 checkpoints write `rms_norm_eps: 1e-05` explicitly, which wins; 1e-6 is
 *   only LlamaConfig's fallback — LlavaConfig itself has no separate text default.)
 * Optional LLaVA-NeXT-Video keys (`spatial_pool_stride`, `spatial_pool_mode`, `num_frames`) give
 * `config.video`.
 */
import { basename } from 'node:path';
import { z } from 'zod';
import { CheckpointError } from './errors';
import { describeZodIssues } from './json';
import type { Activation, LlavaConfig, TextConfig, VideoConfig, VisionConfig } from './types';

const activation = z.enum(['quick_gelu', 'gelu', 'gelu_pytorch_tanh', 'gelu_new', 'silu', 'relu']);
const positiveInt = z.number().int().positive();
const positive = z.number().positive();

/** CLIPVisionConfig defaults (transformers), used for keys a partial vision_config omits. */
const clipVisionSchema = z.looseObject({
  model_type: z.string().default('clip_vision_model'),
  hidden_size: positiveInt.default(768),
  intermediate_size: positiveInt.default(3072),
  num_hidden_layers: positiveInt.default(12),
  num_attention_heads: positiveInt.default(12),
  num_channels: positiveInt.default(3),
  image_size: positiveInt.default(224),
  patch_size: positiveInt.default(32),
  hidden_act: activation.default('quick_gelu'),
  layer_norm_eps: positive.default(1e-5),
});

/** The vision tower LlavaConfig builds when config.json has no vision_config (CLIP ViT-L/14-336). */
const llavaDefaultVision = {
  hidden_size: 1024,
  intermediate_size: 4096,
  num_hidden_layers: 24,
  num_attention_heads: 16,
  image_size: 336,
  patch_size: 14,
  hidden_act: 'quick_gelu',
};

/** LlamaConfig defaults (transformers). `null` stands for "derived" as in LlamaConfig.__init__. */
const llamaTextSchema = z.looseObject({
  model_type: z.string().default('llama'),
  vocab_size: positiveInt.default(32000),
  hidden_size: positiveInt.default(4096),
  intermediate_size: positiveInt.default(11008),
  num_hidden_layers: positiveInt.default(32),
  num_attention_heads: positiveInt.default(32),
  num_key_value_heads: positiveInt.nullable().default(null),
  head_dim: positiveInt.nullable().default(null),
  hidden_act: activation.default('silu'),
  max_position_embeddings: positiveInt.default(2048),
  rms_norm_eps: positive.default(1e-6),
  rope_theta: positive.default(10000),
  // transformers ≥ 5 saves RoPE settings as rope_parameters; older files use rope_theta + rope_scaling.
  rope_parameters: z.looseObject({ rope_theta: positive.optional(), rope_type: z.string().optional() }).nullable().optional(),
  rope_scaling: z.looseObject({ rope_type: z.string().optional(), type: z.string().optional() }).nullable().optional(),
  tie_word_embeddings: z.boolean().optional(),
  attention_bias: z.boolean().default(false),
  mlp_bias: z.boolean().default(false),
});

const llavaSchema = z.looseObject({
  model_type: z.string(),
  vision_config: z.record(z.string(), z.unknown()).nullable().optional(),
  text_config: z.record(z.string(), z.unknown()).nullable().optional(),
  projector_hidden_act: activation.default('gelu'),
  multimodal_projector_bias: z.boolean().default(true),
  vision_feature_layer: z.union([z.number().int(), z.array(z.number().int())]).default(-2),
  vision_feature_select_strategy: z.enum(['default', 'full']).default('default'),
  image_token_index: z.number().int().nonnegative().optional(),
  image_token_id: z.number().int().nonnegative().optional(),
  tie_word_embeddings: z.boolean().optional(),
  spatial_pool_stride: positiveInt.optional(),
  spatial_pool_mode: z.enum(['average', 'max']).optional(),
  num_frames: positiveInt.optional(),
});

function badConfig(file: string, reason: string, hint = 'Fix config.json (compare with the model repository\'s original).'): CheckpointError {
  return new CheckpointError({ kind: 'bad-config', file, reason, hint });
}

function parseWith<T extends z.ZodType>(schema: T, value: unknown, file: string, prefix: string): z.output<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw badConfig(file, `invalid ${prefix}: ${describeZodIssues(result.error)}`);
  return result.data;
}

function parseVision(raw: Record<string, unknown> | null | undefined, file: string): VisionConfig {
  const v = parseWith(clipVisionSchema, raw ?? llavaDefaultVision, file, 'vision_config');
  if (v.model_type !== 'clip_vision_model') {
    throw badConfig(file, `vision_config.model_type is '${v.model_type}', but only CLIP vision towers ('clip_vision_model') are supported`,
      'Use a LLaVA-1.5 style checkpoint with a CLIP vision tower.');
  }
  if (v.hidden_size % v.num_attention_heads !== 0) {
    throw badConfig(file, `vision_config.hidden_size ${v.hidden_size} is not divisible by num_attention_heads ${v.num_attention_heads}`);
  }
  if (v.image_size % v.patch_size !== 0) {
    throw badConfig(file, `vision_config.image_size ${v.image_size} is not a multiple of patch_size ${v.patch_size}`);
  }
  return {
    hiddenSize: v.hidden_size,
    intermediateSize: v.intermediate_size,
    numLayers: v.num_hidden_layers,
    numHeads: v.num_attention_heads,
    patchSize: v.patch_size,
    imageSize: v.image_size,
    numChannels: v.num_channels,
    layerNormEps: v.layer_norm_eps,
    hiddenAct: v.hidden_act as Activation,
  };
}

function parseText(raw: Record<string, unknown> | null | undefined, topLevelTie: boolean | undefined, file: string): TextConfig {
  const t = parseWith(llamaTextSchema, raw ?? {}, file, 'text_config');
  if (t.model_type !== 'llama') {
    throw badConfig(file, `text_config.model_type is '${t.model_type}', but only Llama-style decoders ('llama') are supported`,
      'Use a LLaVA-1.5 style checkpoint with a Llama/Vicuna language model.');
  }
  const ropeType = t.rope_parameters?.rope_type ?? t.rope_scaling?.rope_type ?? t.rope_scaling?.type ?? 'default';
  if (ropeType !== 'default') {
    throw badConfig(file, `text_config uses RoPE scaling '${ropeType}', which is not supported (plain RoPE only)`,
      'Use a LLaVA-1.5 style checkpoint whose decoder uses plain rotary embeddings.');
  }
  const numKvHeads = t.num_key_value_heads ?? t.num_attention_heads;
  if (t.num_attention_heads % numKvHeads !== 0) {
    throw badConfig(file, `text_config.num_attention_heads ${t.num_attention_heads} is not a multiple of num_key_value_heads ${numKvHeads}`);
  }
  if (t.head_dim === null && t.hidden_size % t.num_attention_heads !== 0) {
    throw badConfig(file, `text_config.hidden_size ${t.hidden_size} is not divisible by num_attention_heads ${t.num_attention_heads}`);
  }
  return {
    hiddenSize: t.hidden_size,
    intermediateSize: t.intermediate_size,
    numLayers: t.num_hidden_layers,
    numHeads: t.num_attention_heads,
    numKvHeads,
    headDim: t.head_dim ?? t.hidden_size / t.num_attention_heads,
    vocabSize: t.vocab_size,
    rmsNormEps: t.rms_norm_eps,
    ropeTheta: t.rope_parameters?.rope_theta ?? t.rope_theta,
    maxPositionEmbeddings: t.max_position_embeddings,
    hiddenAct: t.hidden_act as Activation,
    // As LlavaConfig: tied when either the top level or the text config says so.
    tieWordEmbeddings: (topLevelTie ?? false) || (t.tie_word_embeddings ?? false),
    attentionBias: t.attention_bias,
    mlpBias: t.mlp_bias,
  };
}

function parseVideo(c: z.output<typeof llavaSchema>): VideoConfig | undefined {
  if (c.spatial_pool_stride === undefined && c.spatial_pool_mode === undefined && c.num_frames === undefined) return undefined;
  // LLaVA-NeXT-Video's defaults: 2×2 average pooling; 8 frames is its processor's usual sampling.
  return { spatialPoolStride: c.spatial_pool_stride ?? 2, spatialPoolMode: c.spatial_pool_mode ?? 'average', numFrames: c.num_frames ?? 8 };
}

/**
 * Validates a parsed config.json object and returns the LlavaConfig it describes.
 * `file` is used only in error messages. Throws CheckpointError: 'unknown-model-type' when
 * model_type is not 'llava', 'bad-config' for wrong types, unsupported towers or inconsistent sizes.
 */
export function parseLlavaConfig(raw: Record<string, unknown>, file: string): LlavaConfig {
  const modelType = raw.model_type;
  if (modelType !== 'llava') {
    const seen = typeof modelType === 'string' ? `'${modelType}'` : 'missing';
    const hint = modelType === 'llava_llama'
      ? 'This is an original LLaVA repository checkpoint; convert it to the Hugging Face layout with transformers\' convert_llava_weights_to_hf.py, or download the llava-hf version.'
      : 'TokenLab loads Hugging Face LLaVA-1.5 folders (model_type "llava"), e.g. llava-hf/llava-1.5-7b-hf.';
    throw new CheckpointError({ kind: 'unknown-model-type', file, reason: `model_type is ${seen}, expected 'llava'`, hint });
  }
  const c = parseWith(llavaSchema, raw, file, basename(file));
  if (Array.isArray(c.vision_feature_layer)) {
    throw badConfig(file, `vision_feature_layer is a list (${c.vision_feature_layer.join(', ')}); multi-layer visual features are not supported`,
      'Use a checkpoint with a single vision_feature_layer (LLaVA-1.5 uses -2).');
  }
  const vision = parseVision(c.vision_config, file);
  const featureLayer = c.vision_feature_layer;
  // Hidden-state list has numLayers + 1 entries (embeddings first), indexed from either end.
  if (featureLayer > vision.numLayers || featureLayer < -(vision.numLayers + 1)) {
    throw badConfig(file, `vision_feature_layer ${featureLayer} is outside the ${vision.numLayers + 1} hidden states of the vision tower`);
  }
  const text = parseText(c.text_config, c.tie_word_embeddings, file);
  const imageTokenIndex = c.image_token_index ?? c.image_token_id ?? 32000;
  // No check against vocab_size: the image token is never embedded (visual features replace it),
  // and HF's own defaults (index 32000, Llama vocab 32000) would fail such a check.
  const config: LlavaConfig = {
    modelType: 'llava',
    vision,
    text,
    projectorHiddenAct: c.projector_hidden_act as Activation,
    projectorBias: c.multimodal_projector_bias,
    visionFeatureLayer: featureLayer,
    visionFeatureSelectStrategy: c.vision_feature_select_strategy,
    imageTokenIndex,
  };
  const video = parseVideo(c);
  if (video) config.video = video;
  if (typeof raw.prompt_template === 'string') config.promptTemplate = raw.prompt_template;
  return config;
}

/**
 * How many ViT layers must run to produce the feature layer: HF's hidden-state list is
 * [embeddings, layer 1, …, layer L], so index k ≥ 0 needs k layers and k < 0 needs L + 1 + k.
 */
export function visionLayersNeeded(config: LlavaConfig): number {
  const total = config.vision.numLayers;
  const k = config.visionFeatureLayer;
  return k >= 0 ? k : total + 1 + k;
}
