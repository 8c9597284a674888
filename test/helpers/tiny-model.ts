/**
 * In-memory tiny LLaVA models with seeded random weights, for graph/runtime tests that must not
 * depend on files. Tensor names and shapes are the canonical HF LLaVA-1.5 ones, so the same
 * builders run on these and on loaded checkpoints.
 */
import { seededUniform } from '../../src/shared/random';
import type { LlavaConfig, LoadedModel, PreprocessorConfig, TensorInfo, TensorStore, TextTokenizer } from '../../src/engine/models/checkpoint/types';

/** Deterministic uniform [0, 1) generator: the project's shared seeded PRNG. */
export const seededRandom = seededUniform;

/** A TensorStore over a Map, with the same shape checks as the real one. */
export class MapTensorStore implements TensorStore {
  constructor(private readonly tensors: Map<string, { shape: number[]; data: Float32Array }>) {}
  names(): string[] {
    return [...this.tensors.keys()];
  }
  has(name: string): boolean {
    return this.tensors.has(name);
  }
  info(name: string): TensorInfo {
    const t = this.tensors.get(name);
    if (!t) throw new Error(`missing tensor ${name}`);
    return { name, dtype: 'F32', shape: t.shape, file: 'memory' };
  }
  get(name: string, expectedShape?: number[]): Float32Array {
    const t = this.tensors.get(name);
    if (!t) throw new Error(`missing tensor ${name}`);
    if (expectedShape && expectedShape.join(',') !== t.shape.join(',')) throw new Error(`tensor ${name}: shape [${t.shape}] != expected [${expectedShape}]`);
    return t.data;
  }
  close(): void {}
}

/** Options for a tiny model's geometry. */
export interface TinyOptions {
  seed?: number;
  kvHeads?: number;
  visionLayers?: number;
  textLayers?: number;
  visionFeatureLayer?: number;
  selectStrategy?: 'default' | 'full';
  tieWordEmbeddings?: boolean;
  /** Qwen-style attention and MLP biases, and a projector without biases (the non-default paths). */
  flipBiases?: boolean;
}

/** A small config: 32 px image, 8 px patches (16 patches + CLS), text width 48 with 4 heads. */
export function tinyConfig(o: TinyOptions = {}): LlavaConfig {
  return {
    modelType: 'llava',
    vision: { hiddenSize: 32, intermediateSize: 64, numLayers: o.visionLayers ?? 3, numHeads: 4, patchSize: 8, imageSize: 32, numChannels: 3, layerNormEps: 1e-5, hiddenAct: 'quick_gelu' },
    text: {
      hiddenSize: 48,
      intermediateSize: 96,
      numLayers: o.textLayers ?? 3,
      numHeads: 4,
      numKvHeads: o.kvHeads ?? 4,
      headDim: 12,
      vocabSize: 64,
      rmsNormEps: 1e-6,
      ropeTheta: 10000,
      maxPositionEmbeddings: 512,
      hiddenAct: 'silu',
      tieWordEmbeddings: o.tieWordEmbeddings ?? false,
      attentionBias: !!o.flipBiases,
      mlpBias: !!o.flipBiases,
    },
    projectorHiddenAct: 'gelu',
    visionFeatureLayer: o.visionFeatureLayer ?? -2,
    visionFeatureSelectStrategy: o.selectStrategy ?? 'default',
    projectorBias: !o.flipBiases,
    imageTokenIndex: 63,
    video: { spatialPoolStride: 2, spatialPoolMode: 'average', numFrames: 2 },
  };
}

/** Every tensor name → shape that a config requires (canonical HF LLaVA names). */
export function tensorShapes(cfg: LlavaConfig): Map<string, number[]> {
  const v = cfg.vision;
  const t = cfg.text;
  const s = new Map<string, number[]>();
  const vit = 'vision_tower.vision_model';
  const n = (v.imageSize / v.patchSize) ** 2;
  s.set(`${vit}.embeddings.patch_embedding.weight`, [v.hiddenSize, v.numChannels, v.patchSize, v.patchSize]);
  s.set(`${vit}.embeddings.class_embedding`, [v.hiddenSize]);
  s.set(`${vit}.embeddings.position_embedding.weight`, [n + 1, v.hiddenSize]);
  s.set(`${vit}.pre_layrnorm.weight`, [v.hiddenSize]);
  s.set(`${vit}.pre_layrnorm.bias`, [v.hiddenSize]);
  for (let i = 0; i < v.numLayers; i++) {
    const p = `${vit}.encoder.layers.${i}`;
    for (const proj of ['q', 'k', 'v', 'out']) {
      s.set(`${p}.self_attn.${proj}_proj.weight`, [v.hiddenSize, v.hiddenSize]);
      s.set(`${p}.self_attn.${proj}_proj.bias`, [v.hiddenSize]);
    }
    for (const ln of ['layer_norm1', 'layer_norm2']) {
      s.set(`${p}.${ln}.weight`, [v.hiddenSize]);
      s.set(`${p}.${ln}.bias`, [v.hiddenSize]);
    }
    s.set(`${p}.mlp.fc1.weight`, [v.intermediateSize, v.hiddenSize]);
    s.set(`${p}.mlp.fc1.bias`, [v.intermediateSize]);
    s.set(`${p}.mlp.fc2.weight`, [v.hiddenSize, v.intermediateSize]);
    s.set(`${p}.mlp.fc2.bias`, [v.hiddenSize]);
  }
  s.set('multi_modal_projector.linear_1.weight', [t.hiddenSize, v.hiddenSize]);
  if (cfg.projectorBias ?? true) s.set('multi_modal_projector.linear_1.bias', [t.hiddenSize]);
  s.set('multi_modal_projector.linear_2.weight', [t.hiddenSize, t.hiddenSize]);
  if (cfg.projectorBias ?? true) s.set('multi_modal_projector.linear_2.bias', [t.hiddenSize]);
  s.set('language_model.model.embed_tokens.weight', [t.vocabSize, t.hiddenSize]);
  for (let i = 0; i < t.numLayers; i++) {
    const p = `language_model.model.layers.${i}`;
    s.set(`${p}.self_attn.q_proj.weight`, [t.numHeads * t.headDim, t.hiddenSize]);
    s.set(`${p}.self_attn.k_proj.weight`, [t.numKvHeads * t.headDim, t.hiddenSize]);
    s.set(`${p}.self_attn.v_proj.weight`, [t.numKvHeads * t.headDim, t.hiddenSize]);
    s.set(`${p}.self_attn.o_proj.weight`, [t.hiddenSize, t.numHeads * t.headDim]);
    s.set(`${p}.input_layernorm.weight`, [t.hiddenSize]);
    s.set(`${p}.post_attention_layernorm.weight`, [t.hiddenSize]);
    s.set(`${p}.mlp.gate_proj.weight`, [t.intermediateSize, t.hiddenSize]);
    s.set(`${p}.mlp.up_proj.weight`, [t.intermediateSize, t.hiddenSize]);
    s.set(`${p}.mlp.down_proj.weight`, [t.hiddenSize, t.intermediateSize]);
    if (t.attentionBias) for (const [n, size] of [['q', t.numHeads * t.headDim], ['k', t.numKvHeads * t.headDim], ['v', t.numKvHeads * t.headDim], ['o', t.hiddenSize]] as const) s.set(`${p}.self_attn.${n}_proj.bias`, [size]);
    if (t.mlpBias) for (const [n, size] of [['gate', t.intermediateSize], ['up', t.intermediateSize], ['down', t.hiddenSize]] as const) s.set(`${p}.mlp.${n}_proj.bias`, [size]);
  }
  s.set('language_model.model.norm.weight', [t.hiddenSize]);
  if (!t.tieWordEmbeddings) s.set('language_model.lm_head.weight', [t.vocabSize, t.hiddenSize]);
  return s;
}

/** Random weights: norms near 1, biases small, matrices with variance 1/fan_in (stable activations). */
export function randomTensors(cfg: LlavaConfig, seed = 1): MapTensorStore {
  const rand = seededRandom(seed);
  const map = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const [name, shape] of tensorShapes(cfg)) {
    const size = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(size);
    const isNorm = /norm|layrnorm/.test(name) && name.endsWith('weight');
    const fanIn = shape.length >= 2 ? shape.slice(1).reduce((a, b) => a * b, 1) : 1;
    const scale = isNorm ? 0.2 : name.endsWith('bias') ? 0.1 : name.includes('embed') || name.includes('class_embedding') ? 1 : Math.sqrt(3 / fanIn);
    for (let i = 0; i < size; i++) data[i] = (isNorm ? 1 : 0) + (2 * rand() - 1) * scale;
    map.set(name, { shape, data });
  }
  return new MapTensorStore(map);
}

/** Characters → ids 3..vocab-2 (0 pad, 1 BOS, 2 EOS); lossy but deterministic. */
export function charTokenizer(vocabSize: number): TextTokenizer {
  const span = vocabSize - 4;
  return {
    encode: (text) => [...text].map((c) => 3 + (c.charCodeAt(0) % span)),
    decode: (ids) => ids.filter((i) => i > 2).map((i) => String.fromCharCode(97 + ((i - 3) % 26))).join(''),
    bosId: 1,
    eosId: 2,
    padId: 0,
    vocabSize,
  };
}

/** CLIP-style preprocessing for the tiny 32 px model. */
export function tinyPreprocessor(size = 32): PreprocessorConfig {
  return { shortestEdge: size, cropHeight: size, cropWidth: size, doResize: true, doCenterCrop: true, doNormalize: true, rescaleFactor: 1 / 255, imageMean: [0.48145466, 0.4578275, 0.40821073], imageStd: [0.26862954, 0.26130258, 0.27577711] };
}

/** A whole in-memory model. */
export function tinyModel(o: TinyOptions = {}): LoadedModel {
  const config = tinyConfig(o);
  const tokenizer = charTokenizer(config.text.vocabSize);
  return {
    dir: 'memory',
    name: 'tiny-memory',
    config,
    preprocessor: tinyPreprocessor(config.vision.imageSize),
    weights: randomTensors(config, o.seed ?? 1),
    tokenizer,
    prompt: (question) => ({ before: [1, ...tokenizer.encode('USER: ')], after: tokenizer.encode(`${question} ASSISTANT:`) }),
  };
}
