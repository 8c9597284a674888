/**
 * The in-memory description of a model folder in the Hugging Face LLaVA-1.5 layout.
 * The loader (`load.ts`) produces these from config.json, preprocessor_config.json,
 * safetensors and tokenizer files; the graph builder and runtime consume them.
 * Names are camelCase versions of the HF keys; units and meanings follow HF.
 */

/** Activation names as they appear in HF configs. */
export type Activation = 'quick_gelu' | 'gelu' | 'gelu_pytorch_tanh' | 'gelu_new' | 'silu' | 'relu';

/** CLIP-style vision tower (HF `vision_config`). */
export interface VisionConfig {
  hiddenSize: number;
  intermediateSize: number;
  numLayers: number;
  numHeads: number;
  patchSize: number;
  imageSize: number;
  numChannels: number;
  layerNormEps: number;
  hiddenAct: Activation;
}

/** Llama-style decoder (HF `text_config`). */
export interface TextConfig {
  hiddenSize: number;
  intermediateSize: number;
  numLayers: number;
  numHeads: number;
  /** Grouped-query attention: heads per K/V; equals numHeads for plain multi-head attention. */
  numKvHeads: number;
  headDim: number;
  vocabSize: number;
  rmsNormEps: number;
  ropeTheta: number;
  maxPositionEmbeddings: number;
  hiddenAct: Activation;
  tieWordEmbeddings: boolean;
  /** Biases on q/k/v/o projections (HF `attention_bias`); absent means false (Llama, Vicuna). */
  attentionBias?: boolean;
  /** Biases on gate/up/down projections (HF `mlp_bias`); absent means false. */
  mlpBias?: boolean;
}

/** How frames of a video are turned into visual tokens (LLaVA-NeXT-Video style keys). */
export interface VideoConfig {
  /** Pooling stride applied per frame on the patch grid, e.g. 2 for 2×2 pooling. */
  spatialPoolStride: number;
  spatialPoolMode: 'average' | 'max';
  /** Frames sampled from a video by default. */
  numFrames: number;
}

/** The whole model (HF `config.json` with `model_type: "llava"`). */
export interface LlavaConfig {
  modelType: 'llava';
  vision: VisionConfig;
  text: TextConfig;
  projectorHiddenAct: Activation;
  /** Index into the ViT hidden-state list (HF convention: 0 = embeddings, -1 = last layer, -2 = LLaVA's default). */
  visionFeatureLayer: number;
  /** 'default' drops the CLS token before the projector; 'full' keeps it. */
  visionFeatureSelectStrategy: 'default' | 'full';
  imageTokenIndex: number;
  video?: VideoConfig;
  /** Biases on the projector's two linears (HF `multimodal_projector_bias`); absent means true. */
  projectorBias?: boolean;
  /** A `prompt_template` string from config.json (contains `<image>` and `{question}`), if any. */
  promptTemplate?: string;
}

/** preprocessor_config.json (CLIPImageProcessor). */
export interface PreprocessorConfig {
  /** Resize so the shortest edge is this many pixels (bicubic in HF). */
  shortestEdge: number;
  /** Center crop to this height × width. */
  cropHeight: number;
  cropWidth: number;
  doResize: boolean;
  doCenterCrop: boolean;
  doNormalize: boolean;
  rescaleFactor: number;
  imageMean: [number, number, number];
  imageStd: [number, number, number];
}

/** Element types we read from safetensors. */
export type DType = 'F32' | 'F16' | 'BF16';

/** Where a tensor lives and what it holds, without its data. */
export interface TensorInfo {
  name: string;
  dtype: DType;
  shape: number[];
  /** The safetensors file that holds it. */
  file: string;
}

/**
 * Lazy access to a checkpoint's tensors: reading one tensor reads only its bytes.
 * Every name is the HF LLaVA-1.5 name (`vision_tower.vision_model...`, `multi_modal_projector...`,
 * `language_model.model...`, `language_model.lm_head.weight`), whatever naming the folder used.
 */
export interface TensorStore {
  names(): string[];
  has(name: string): boolean;
  info(name: string): TensorInfo;
  /**
   * The tensor as float32 (converted from F16/BF16). Throws a CheckpointError naming the tensor and
   * file when it is missing, its shape differs from `expectedShape`, or it holds NaN/Inf.
   */
  get(name: string, expectedShape?: number[]): Float32Array;
  close(): void;
}

/** Text ↔ ids for the model's tokenizer. */
export interface TextTokenizer {
  encode(text: string): number[];
  decode(ids: number[]): string;
  /** Special ids, when the tokenizer defines them. */
  bosId?: number;
  eosId?: number;
  padId?: number;
  vocabSize: number;
}

/** The prompt around one image (or video) and a question, split at the image placeholder. */
export interface PromptParts {
  /** Token ids before the visual tokens (system prompt, BOS, "USER: "...). */
  before: number[];
  /** Token ids after the visual tokens (the question and "ASSISTANT:"). */
  after: number[];
}

/** A model folder, loaded. */
export interface LoadedModel {
  dir: string;
  /** Display name (folder name or `_name_or_path`). */
  name: string;
  config: LlavaConfig;
  preprocessor: PreprocessorConfig;
  weights: TensorStore;
  tokenizer: TextTokenizer;
  /** Builds the prompt for a question; the visual tokens go between `before` and `after`. */
  prompt(question: string): PromptParts;
}
