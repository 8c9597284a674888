/**
 * Analytical FLOPs of a LLaVA-style model, per component and per layer, from the actual token
 * counts of a run (pure TypeScript: the engine, the CLI, reports and the UI all use it).
 *
 * Counting is MAC-style, as in FastV, TransPrune and ToDRE: one multiply-accumulate counts as
 * one FLOP, so a linear map from a to b on n tokens costs n·a·b. Norms, activations, softmax and
 * RoPE are ignored (they are O(n·d)). Decoder layer in prefill (n tokens entering the layer,
 * hidden d, MLP width m):
 *   'paper' (TransPrune/ToDRE, SwiGLU with 3 matrices): 4nd² + 2n²d + 3ndm
 *   'fastv' (FastV's eq., 2-matrix MLP term):            4nd² + 2n²d + 2ndm
 * With grouped-query attention (kv heads < heads) the projections are counted as they are:
 * q and o 2·n·d·d_q, k and v 2·n·d·d_kv, and attention 2·n²·d_q, where d_q = heads·head_dim and
 * d_kv = kv_heads·head_dim; with d_q = d_kv = d this is the formula above.
 * Decode step (ToDRE eq. 3 style), per layer, with L keys in the cache incl. the new token:
 *   4d² + 2dL + 3dm ('paper'; 2dm for 'fastv'; GQA-aware as above).
 * CLIP ViT layer: 4nd² + 2n²d + 2ndm (its MLP has two matrices under both conventions);
 * patch embedding n_p·d·C·P²; projector n·(d_v·d_h + d_h·d_t); LM head d·V per generated token.
 * LLaVA-1.5-7B with n = 576 gives a decoder prefill of 3.817 TFLOPs ('paper'), TransPrune's baseline.
 */

/** Which decoder-MLP term to use: 'paper' 3ndm (SwiGLU, three matrices) or FastV's 2ndm. */
export type FlopsConvention = 'paper' | 'fastv';

/** CLIP-style vision tower. */
export interface VisionDims {
  hiddenSize: number;
  intermediateSize: number;
  /** ViT layers that run to reach the feature layer (LLaVA-1.5: 23 of 24, feature layer −2). */
  layersRun: number;
  patchSize: number;
  imageSize: number;
  numChannels: number;
  /** Whether a CLS token is prepended (CLIP: yes). */
  clsToken: boolean;
}

/** LLaVA projector: linear (input → hidden), activation, linear (hidden → output). */
export interface ProjectorDims {
  inputSize: number;
  hiddenSize: number;
  outputSize: number;
}

/** Llama-style decoder. */
export interface DecoderDims {
  hiddenSize: number;
  intermediateSize: number;
  numLayers: number;
  numHeads: number;
  numKvHeads: number;
  headDim: number;
  vocabSize: number;
}

/** Everything the FLOPs model needs to know about a model. */
export interface ModelDims {
  name: string;
  vision: VisionDims;
  projector: ProjectorDims;
  text: DecoderDims;
}

/** A method's own cost (e.g. QuoTA's scoring passes), already in MAC-style FLOPs. */
export interface ExtraCost {
  label: string;
  flops: number;
}

/** The token counts of one run. */
export interface FlopsInput {
  dims: ModelDims;
  convention?: FlopsConvention;
  /** Tokens entering each decoder layer in prefill (one entry per layer). */
  prefillTokensPerLayer: number[];
  /** Visual tokens passed through the projector. */
  projectorTokens: number;
  /** Images or frames through the vision tower. Default 1; 0 leaves the vision tower out. */
  images?: number;
  /** Tokens entering each ViT layer (one entry per layer run; default: all patches + CLS). */
  visionTokensPerLayer?: number[];
  /** Decoding forward passes after prefill (each appends one token to every layer's cache). Default 0. */
  decodeSteps?: number;
  extra?: ExtraCost[];
}

/** Per component and per layer FLOPs, with the formulas used. */
export interface FlopsBreakdown {
  model: string;
  convention: FlopsConvention;
  unit: string;
  formulas: { visionLayer: string; patchEmbedding: string; projector: string; decoderLayer: string; decodeStep: string; lmHead: string };
  vision: { images: number; tokensPerLayer: number[]; patchEmbedding: number; layers: number[]; total: number };
  projector: { tokens: number; total: number };
  prefill: { tokensPerLayer: number[]; layers: number[]; total: number };
  decode: { steps: number; layers: number[]; total: number };
  lmHead: { positions: number; total: number };
  extra: { items: ExtraCost[]; total: number };
  /** Sum of all components. */
  total: number;
}

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

/** MACs of one decoder layer in prefill on n tokens (see the module comment). */
export function decoderLayerFlops(t: DecoderDims, n: number, convention: FlopsConvention = 'paper'): number {
  const d = t.hiddenSize;
  const dq = t.numHeads * t.headDim;
  const dkv = t.numKvHeads * t.headDim;
  const mlpMatrices = convention === 'paper' ? 3 : 2;
  return 2 * n * d * dq + 2 * n * d * dkv + 2 * n * n * dq + mlpMatrices * n * d * t.intermediateSize;
}

/** MACs of one decoder layer for one decoded token attending to `kvLength` keys (incl. itself). */
export function decodeStepLayerFlops(t: DecoderDims, kvLength: number, convention: FlopsConvention = 'paper'): number {
  const d = t.hiddenSize;
  const dq = t.numHeads * t.headDim;
  const dkv = t.numKvHeads * t.headDim;
  const mlpMatrices = convention === 'paper' ? 3 : 2;
  return 2 * d * dq + 2 * d * dkv + 2 * dq * kvLength + mlpMatrices * d * t.intermediateSize;
}

/** MACs of one CLIP ViT layer on n tokens: 4nd² + 2n²d + 2ndm. */
export function visionLayerFlops(v: VisionDims, n: number): number {
  const d = v.hiddenSize;
  return 4 * n * d * d + 2 * n * n * d + 2 * n * d * v.intermediateSize;
}

/** Tokens a vision tower produces per image: (image/patch)² patches, plus CLS when it has one. */
export function visionTokenCount(v: VisionDims): number {
  return (v.imageSize / v.patchSize) ** 2 + (v.clsToken ? 1 : 0);
}

function formulas(dims: ModelDims, convention: FlopsConvention): FlopsBreakdown['formulas'] {
  const { text: t, vision: v, projector: p } = dims;
  const d = t.hiddenSize;
  const dq = t.numHeads * t.headDim;
  const dkv = t.numKvHeads * t.headDim;
  const k = convention === 'paper' ? 3 : 2;
  const plain = dq === d && dkv === d;
  const sizes = plain ? `d = ${d}, m = ${t.intermediateSize}` : `d = ${d}, d_q = heads·head_dim = ${dq}, d_kv = kv_heads·head_dim = ${dkv}, m = ${t.intermediateSize}`;
  return {
    decoderLayer: plain
      ? `4·n·d² + 2·n²·d + ${k}·n·d·m per layer, n = tokens entering the layer (${sizes})`
      : `2·n·d·d_q + 2·n·d·d_kv + 2·n²·d_q + ${k}·n·d·m per layer, n = tokens entering the layer (grouped-query attention; ${sizes})`,
    decodeStep: plain
      ? `4·d² + 2·d·L + ${k}·d·m per layer per step, L = cached keys incl. the new token (${sizes})`
      : `2·d·d_q + 2·d·d_kv + 2·d_q·L + ${k}·d·m per layer per step, L = cached keys incl. the new token (${sizes})`,
    visionLayer: `4·n·d² + 2·n²·d + 2·n·d·m per ViT layer (d = ${v.hiddenSize}, m = ${v.intermediateSize}), ${v.layersRun} layers per image`,
    patchEmbedding: `n_patches·d·C·P² per image (d = ${v.hiddenSize}, C = ${v.numChannels}, P = ${v.patchSize})`,
    projector: `n·(d_v·d_h + d_h·d_t) (d_v = ${p.inputSize}, d_h = ${p.hiddenSize}, d_t = ${p.outputSize})`,
    lmHead: `d·V per generated token (d = ${d}, V = ${t.vocabSize})`,
  };
}

/**
 * FLOPs of one run, per component and per layer. Throws when `prefillTokensPerLayer` (or
 * `visionTokensPerLayer`) does not have one entry per layer, or a count is negative.
 */
export function computeFlops(input: FlopsInput): FlopsBreakdown {
  const { dims } = input;
  const convention = input.convention ?? 'paper';
  const { text: t, vision: v, projector: p } = dims;
  if (input.prefillTokensPerLayer.length !== t.numLayers) {
    throw new Error(`prefillTokensPerLayer has ${input.prefillTokensPerLayer.length} entries but ${dims.name} has ${t.numLayers} decoder layers`);
  }
  const images = input.images ?? 1;
  const visionTokens = input.visionTokensPerLayer ?? Array<number>(v.layersRun).fill(visionTokenCount(v));
  if (visionTokens.length !== v.layersRun) {
    throw new Error(`visionTokensPerLayer has ${visionTokens.length} entries but ${v.layersRun} ViT layers run`);
  }
  const counts = [...input.prefillTokensPerLayer, ...visionTokens, input.projectorTokens, input.decodeSteps ?? 0, images];
  if (counts.some((c) => !Number.isFinite(c) || c < 0)) throw new Error('token counts, decode steps and images must be finite and ≥ 0');

  const visionLayers = visionTokens.map((n) => images * visionLayerFlops(v, n));
  const patchEmbedding = images * (v.imageSize / v.patchSize) ** 2 * v.hiddenSize * v.numChannels * v.patchSize ** 2;
  const projector = input.projectorTokens * (p.inputSize * p.hiddenSize + p.hiddenSize * p.outputSize);
  const prefillLayers = input.prefillTokensPerLayer.map((n) => decoderLayerFlops(t, n, convention));
  const steps = input.decodeSteps ?? 0;
  const decodeLayers = input.prefillTokensPerLayer.map((n) => {
    let total = 0;
    for (let i = 0; i < steps; i++) total += decodeStepLayerFlops(t, n + i + 1, convention);
    return total;
  });
  // Logits once per forward pass: the last prefill position, then each decoded token.
  const lmPositions = 1 + steps;
  const extraItems = input.extra ?? [];
  const breakdown: FlopsBreakdown = {
    model: dims.name,
    convention,
    unit: 'MAC-style FLOPs (one multiply-accumulate = 1 FLOP, as in FastV/TransPrune/ToDRE)',
    formulas: formulas(dims, convention),
    vision: { images, tokensPerLayer: visionTokens, patchEmbedding, layers: visionLayers, total: patchEmbedding + sum(visionLayers) },
    projector: { tokens: input.projectorTokens, total: projector },
    prefill: { tokensPerLayer: [...input.prefillTokensPerLayer], layers: prefillLayers, total: sum(prefillLayers) },
    decode: { steps, layers: decodeLayers, total: sum(decodeLayers) },
    lmHead: { positions: lmPositions, total: lmPositions * t.hiddenSize * t.vocabSize },
    extra: { items: extraItems, total: sum(extraItems.map((e) => e.flops)) },
    total: 0,
  };
  breakdown.total = breakdown.vision.total + projector + breakdown.prefill.total + breakdown.decode.total + breakdown.lmHead.total + breakdown.extra.total;
  return breakdown;
}

/** Options of `uniformFlops`: the unpruned shape of a run. */
export interface UniformRun {
  visualTokens: number;
  textTokens?: number;
  decodeSteps?: number;
  convention?: FlopsConvention;
  images?: number;
}

/**
 * FLOPs when every decoder layer sees the same tokens (no pruning inside the LLM):
 * visualTokens + textTokens per layer, and visualTokens through the projector.
 */
export function uniformFlops(dims: ModelDims, run: UniformRun): FlopsBreakdown {
  const n = run.visualTokens + (run.textTokens ?? 0);
  return computeFlops({
    dims,
    prefillTokensPerLayer: Array<number>(dims.text.numLayers).fill(n),
    projectorTokens: run.visualTokens,
    ...(run.convention === undefined ? {} : { convention: run.convention }),
    ...(run.decodeSteps === undefined ? {} : { decodeSteps: run.decodeSteps }),
    ...(run.images === undefined ? {} : { images: run.images }),
  });
}

/** "3.82 TFLOPs", "512.0 GFLOPs", … (three significant digits). */
export function formatFlops(flops: number): string {
  const units: Array<[number, string]> = [[1e15, 'PFLOPs'], [1e12, 'TFLOPs'], [1e9, 'GFLOPs'], [1e6, 'MFLOPs'], [1e3, 'kFLOPs']];
  for (const [scale, unit] of units) if (Math.abs(flops) >= scale) return `${(flops / scale).toPrecision(3)} ${unit}`;
  return `${flops} FLOPs`;
}

/** CLIP ViT-L/14 at 336 px as LLaVA-1.5 uses it: 24 layers, features from layer −2, so 23 run. */
const VIT_L_14_336: VisionDims = { hiddenSize: 1024, intermediateSize: 4096, layersRun: 23, patchSize: 14, imageSize: 336, numChannels: 3, clsToken: true };

/** Published LLaVA-1.5 dimensions (llava-hf config.json files; Vicuna-7B/13B v1.5 decoders). */
export const FLOPS_PRESETS = {
  'llava-1.5-7b': {
    name: 'llava-1.5-7b',
    vision: VIT_L_14_336,
    projector: { inputSize: 1024, hiddenSize: 4096, outputSize: 4096 },
    text: { hiddenSize: 4096, intermediateSize: 11008, numLayers: 32, numHeads: 32, numKvHeads: 32, headDim: 128, vocabSize: 32064 },
  },
  'llava-1.5-13b': {
    name: 'llava-1.5-13b',
    vision: VIT_L_14_336,
    projector: { inputSize: 1024, hiddenSize: 5120, outputSize: 5120 },
    text: { hiddenSize: 5120, intermediateSize: 13824, numLayers: 40, numHeads: 40, numKvHeads: 40, headDim: 128, vocabSize: 32064 },
  },
} as const satisfies Record<string, ModelDims>;

/** Names of the presets (`tokenlab flops --preset`). */
export type FlopsPresetName = keyof typeof FLOPS_PRESETS;
