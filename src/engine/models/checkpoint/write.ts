/**
 * Writing checkpoints: `writeSafetensors` writes one safetensors file; `writeTinyCheckpoint`
 * writes a complete tiny random LLaVA-1.5 folder in the real Hugging Face layout (config.json,
 * preprocessor_config.json, model.safetensors or shards + index, tokenizer.json,
 * tokenizer_config.json). Tests across the project use it (loader, runtime parity, integration),
 * so it is deterministic: the same options give byte-identical files.
 *
 * @example
 *   const { dir } = writeTinyCheckpoint(await mkdtemp(join(tmpdir(), 'tiny-')), { text: { numKvHeads: 2 } });
 *   const model = await loadModel(dir);
 */
import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { parseLlavaConfig } from './config';
import { FLOAT_BYTES, encodeFromFloat32 } from './dtypes';
import { expectedTensors } from './expected';
import { LM_HEAD, tensorNameIn, type NamingScheme } from './names';
import { TINY_BASE_VOCAB_SIZE, tinyTokenizerConfig, tinyTokenizerJson, tinyVocabulary } from './tiny-tokenizer';
import type { Activation, DType, LlavaConfig, VideoConfig } from './types';
import { SHARD_INDEX, SINGLE_FILE } from './weights';
import { seededUniform } from '../../../shared/random';

/** A float32 tensor to write, stored as `dtype` (default: the file's dtype). */
export interface TensorToWrite {
  shape: number[];
  data: Float32Array;
  dtype?: DType;
}

/**
 * Writes `tensors` (in insertion order) to one safetensors file; float32 data is converted to each
 * tensor's dtype (`dtype` default F32) with round-to-nearest-even. The header is padded to a
 * multiple of 8 bytes, as the safetensors library does. Throws if a tensor's data length does
 * not match its shape.
 */
export function writeSafetensors(file: string, tensors: Record<string, TensorToWrite>, dtype: DType = 'F32', metadata?: Record<string, string>): void {
  const header: Record<string, unknown> = metadata ? { __metadata__: metadata } : {};
  let offset = 0;
  const entries = Object.entries(tensors).map(([name, t]) => {
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (count !== t.data.length) throw new Error(`writeSafetensors: ${name} has ${t.data.length} values but shape [${t.shape.join(', ')}] needs ${count}`);
    const type = t.dtype ?? dtype;
    const length = count * FLOAT_BYTES[type];
    header[name] = { dtype: type, shape: t.shape, data_offsets: [offset, offset + length] };
    offset += length;
    return { data: t.data, type };
  });
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const headerBytes = Buffer.from(json, 'utf8');
  const lengthBytes = Buffer.alloc(8);
  lengthBytes.writeBigUInt64LE(BigInt(headerBytes.length));
  const fd = openSync(file, 'w');
  try {
    writeSync(fd, lengthBytes);
    writeSync(fd, headerBytes);
    for (const { data, type } of entries) writeSync(fd, encodeFromFloat32(data, type));
  } finally {
    closeSync(fd);
  }
}

/** Sizes of the tiny model; every field has a small default (see DEFAULT_TINY). */
export interface TinyCheckpointOptions {
  /** PRNG seed; the same seed and options give identical weights. Default 1. */
  seed?: number;
  /** Storage dtype of every tensor. Default F32. */
  dtype?: DType;
  /** > 1 writes `model-0000i-of-0000n.safetensors` shards and model.safetensors.index.json. Default 1. */
  shards?: number;
  /** 'legacy' (vision_tower.*, language_model.model.*) or 'current' (transformers ≥ 4.52). Default legacy. */
  naming?: NamingScheme;
  vision?: Partial<{ hiddenSize: number; intermediateSize: number; numLayers: number; numHeads: number; patchSize: number; imageSize: number; hiddenAct: Activation }>;
  /** numKvHeads < numHeads gives grouped-query attention. */
  text?: Partial<{ hiddenSize: number; intermediateSize: number; numLayers: number; numHeads: number; numKvHeads: number; vocabSize: number; ropeTheta: number; rmsNormEps: number; maxPositionEmbeddings: number }>;
  /** Default TINY_BASE_VOCAB_SIZE (right after the base words, like LLaVA's 32000). */
  imageTokenIndex?: number;
  projectorHiddenAct?: Activation;
  visionFeatureLayer?: number;
  visionFeatureSelectStrategy?: 'default' | 'full';
  /** Omits the LM head from the weights and sets tie_word_embeddings. Default false. */
  tieWordEmbeddings?: boolean;
  video?: VideoConfig;
  /** Stored as tokenizer_config.json's prompt_template. */
  promptTemplate?: string;
  /** tokenizer_config.json's add_bos_token. Default true (as Llama). */
  addBosToken?: boolean;
  /** Canonical names of tensors to leave out (to build broken folders in tests). */
  omitTensors?: string[];
  /** Canonical name → tensor written instead of the random one (any shape; for broken folders). */
  replaceTensors?: Record<string, TensorToWrite>;
}

/** What was written. */
export interface TinyCheckpoint {
  dir: string;
  config: LlavaConfig;
  /** Every file written, as absolute paths. */
  files: string[];
}

/** The defaults: ViT 2 layers × 32 wide on 32-px images with 8-px patches (16 patches + CLS), decoder 2 layers × 32 wide. */
export const DEFAULT_TINY = {
  vision: { hiddenSize: 32, intermediateSize: 64, numLayers: 2, numHeads: 2, patchSize: 8, imageSize: 32, hiddenAct: 'quick_gelu' as Activation },
  text: { hiddenSize: 32, intermediateSize: 64, numLayers: 2, numHeads: 4, numKvHeads: 4, ropeTheta: 10000, rmsNormEps: 1e-5, maxPositionEmbeddings: 512 },
};

/** Normal samples (Box–Muller over the shared seeded uniform stream). */
function normalSampler(seed: number): () => number {
  const uniform = seededUniform(seed);
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}

/**
 * Random values for one tensor. Weights get std 1/√fan_in so activations stay O(1) through the
 * layers (a random model with 0.02 init would give near-constant logits, a weak parity test);
 * norm scales are 1 + noise so a missed norm shows up in parity tests.
 */
function randomTensor(name: string, shape: number[], normal: () => number): Float32Array {
  const count = shape.reduce((a, b) => a * b, 1);
  const isNormScale = /(norm|layrnorm|layer_norm\d?)\.weight$/.test(name);
  const fanIn = shape.length >= 2 ? shape.slice(1).reduce((a, b) => a * b, 1) : 1;
  const std = isNormScale ? 0.1 : shape.length >= 2 && !name.includes('embedding') && !name.includes('embed_tokens') ? 1 / Math.sqrt(fanIn) : 0.5;
  const data = new Float32Array(count);
  for (let i = 0; i < count; i++) data[i] = (isNormScale ? 1 : 0) + std * normal();
  return data;
}

function rawConfig(o: TinyCheckpointOptions): Record<string, unknown> {
  const v = { ...DEFAULT_TINY.vision, ...o.vision };
  const t = { ...DEFAULT_TINY.text, ...o.text };
  const imageTokenIndex = o.imageTokenIndex ?? TINY_BASE_VOCAB_SIZE;
  const video = o.video ? { spatial_pool_stride: o.video.spatialPoolStride, spatial_pool_mode: o.video.spatialPoolMode, num_frames: o.video.numFrames } : {};
  return {
    architectures: ['LlavaForConditionalGeneration'],
    model_type: 'llava',
    _name_or_path: 'tokenlab/tiny-random-llava',
    image_token_index: imageTokenIndex,
    projector_hidden_act: o.projectorHiddenAct ?? 'gelu',
    vision_feature_layer: o.visionFeatureLayer ?? -2,
    vision_feature_select_strategy: o.visionFeatureSelectStrategy ?? 'default',
    tie_word_embeddings: o.tieWordEmbeddings ?? false,
    torch_dtype: { F32: 'float32', F16: 'float16', BF16: 'bfloat16' }[o.dtype ?? 'F32'],
    ...video,
    vision_config: {
      model_type: 'clip_vision_model', hidden_size: v.hiddenSize, intermediate_size: v.intermediateSize, num_hidden_layers: v.numLayers,
      num_attention_heads: v.numHeads, patch_size: v.patchSize, image_size: v.imageSize, num_channels: 3, hidden_act: v.hiddenAct, layer_norm_eps: 1e-5,
    },
    text_config: {
      model_type: 'llama', hidden_size: t.hiddenSize, intermediate_size: t.intermediateSize, num_hidden_layers: t.numLayers,
      num_attention_heads: t.numHeads, num_key_value_heads: t.numKvHeads, vocab_size: t.vocabSize ?? imageTokenIndex + 8,
      rope_theta: t.ropeTheta, rms_norm_eps: t.rmsNormEps, max_position_embeddings: t.maxPositionEmbeddings, hidden_act: 'silu',
      tie_word_embeddings: o.tieWordEmbeddings ?? false,
    },
  };
}

function preprocessorJson(imageSize: number): Record<string, unknown> {
  return {
    image_processor_type: 'CLIPImageProcessor', processor_class: 'LlavaProcessor', do_convert_rgb: true, resample: 3,
    do_resize: true, size: { shortest_edge: imageSize }, do_center_crop: true, crop_size: { height: imageSize, width: imageSize },
    do_rescale: true, rescale_factor: 1 / 255, do_normalize: true,
    image_mean: [0.48145466, 0.4578275, 0.40821073], image_std: [0.26862954, 0.26130258, 0.27577711],
  };
}

/** Splits tensors into `shards` contiguous groups of roughly equal size. */
function splitIntoShards(names: string[], sizes: Map<string, number>, shards: number): string[][] {
  const total = names.reduce((s, n) => s + (sizes.get(n) ?? 0), 0);
  const groups: string[][] = Array.from({ length: shards }, () => []);
  let acc = 0;
  for (const name of names) {
    const index = Math.min(shards - 1, Math.floor((acc / total) * shards));
    groups[index]?.push(name);
    acc += sizes.get(name) ?? 0;
  }
  return groups.filter((g) => g.length > 0);
}

/**
 * Writes a tiny random LLaVA-1.5 model folder into `dir` (created if needed) and returns its
 * parsed config and files. Every tensor the config implies is written, including the ones LLaVA
 * does not use (post_layernorm, the last ViT layer), as in real checkpoints.
 */
export function writeTinyCheckpoint(dir: string, options: TinyCheckpointOptions = {}): TinyCheckpoint {
  mkdirSync(dir, { recursive: true });
  const raw = rawConfig(options);
  const configFile = join(dir, 'config.json');
  const config = parseLlavaConfig(raw, configFile);
  const dtype = options.dtype ?? 'F32';
  const naming = options.naming ?? 'legacy';
  const normal = normalSampler(options.seed ?? 1);
  const tensors: Record<string, TensorToWrite> = {};
  const omit = new Set(options.omitTensors ?? []);
  if (config.text.tieWordEmbeddings) omit.add(LM_HEAD);
  for (const { name, shape } of expectedTensors(config)) {
    // Draw every tensor even when omitted, so omitting one never changes the others.
    const data = randomTensor(name, shape, normal);
    if (omit.has(name)) continue;
    tensors[tensorNameIn(naming, name)] = options.replaceTensors?.[name] ?? { shape, data };
  }
  for (const [name, t] of Object.entries(options.replaceTensors ?? {})) tensors[tensorNameIn(naming, name)] ??= t;

  const files = [configFile];
  writeFileSync(configFile, JSON.stringify(raw, null, 2));
  const shards = options.shards ?? 1;
  if (shards <= 1) {
    writeSafetensors(join(dir, SINGLE_FILE), tensors, dtype, { format: 'pt' });
    files.push(join(dir, SINGLE_FILE));
  } else {
    const sizes = new Map(Object.entries(tensors).map(([n, t]) => [n, t.data.length * FLOAT_BYTES[t.dtype ?? dtype]]));
    const groups = splitIntoShards(Object.keys(tensors), sizes, shards);
    const weightMap: Record<string, string> = {};
    groups.forEach((group, i) => {
      const shardName = `model-${String(i + 1).padStart(5, '0')}-of-${String(groups.length).padStart(5, '0')}.safetensors`;
      writeSafetensors(join(dir, shardName), Object.fromEntries(group.map((n) => [n, tensors[n] as TensorToWrite])), dtype, { format: 'pt' });
      for (const n of group) weightMap[n] = shardName;
      files.push(join(dir, shardName));
    });
    const totalSize = [...sizes.values()].reduce((a, b) => a + b, 0);
    writeFileSync(join(dir, SHARD_INDEX), JSON.stringify({ metadata: { total_size: totalSize }, weight_map: weightMap }, null, 2));
    files.push(join(dir, SHARD_INDEX));
  }

  const vocab = tinyVocabulary(config.imageTokenIndex, config.text.vocabSize);
  const addBos = options.addBosToken ?? true;
  const textFiles: Array<[string, unknown]> = [
    ['preprocessor_config.json', preprocessorJson(config.vision.imageSize)],
    ['tokenizer.json', tinyTokenizerJson(vocab, addBos)],
    ['tokenizer_config.json', tinyTokenizerConfig(vocab, addBos, options.promptTemplate)],
  ];
  for (const [name, content] of textFiles) {
    writeFileSync(join(dir, name), JSON.stringify(content, null, 2));
    files.push(join(dir, name));
  }
  return { dir, config, files };
}
