import { describe, expect, it } from 'vitest';
import { parseLlavaConfig, visionLayersNeeded } from '../../../../src/engine/models/checkpoint/config';
import { CheckpointError } from '../../../../src/engine/models/checkpoint/errors';
import { parsePreprocessorConfig } from '../../../../src/engine/models/checkpoint/preprocessor';

/** llava-hf/llava-1.5-7b-hf's config.json as published (the keys it sets; the rest are defaults). */
const LLAVA_15_7B = {
  architectures: ['LlavaForConditionalGeneration'],
  ignore_index: -100,
  image_token_index: 32000,
  model_type: 'llava',
  pad_token_id: 32001,
  projector_hidden_act: 'gelu',
  text_config: {
    _name_or_path: 'lmsys/vicuna-7b-v1.5', architectures: ['LlamaForCausalLM'], max_position_embeddings: 4096,
    model_type: 'llama', rms_norm_eps: 1e-5, torch_dtype: 'float16', vocab_size: 32064,
  },
  tie_word_embeddings: false,
  torch_dtype: 'float16',
  transformers_version: '4.36.0.dev0',
  vision_config: {
    hidden_size: 1024, image_size: 336, intermediate_size: 4096, model_type: 'clip_vision_model', num_attention_heads: 16,
    num_hidden_layers: 24, patch_size: 14, projection_dim: 768, vocab_size: 32000,
  },
  vision_feature_layer: -2,
  vision_feature_select_strategy: 'default',
  vocab_size: 32064,
};

function errorOf(fn: () => unknown): CheckpointError {
  try {
    fn();
  } catch (err) {
    if (err instanceof CheckpointError) return err;
    throw err;
  }
  throw new Error('expected a CheckpointError');
}

describe('parseLlavaConfig', () => {
  it('reads the published llava-1.5-7b config with HF defaults for the keys it omits', () => {
    const c = parseLlavaConfig(LLAVA_15_7B, 'config.json');
    expect(c.vision).toEqual({ hiddenSize: 1024, intermediateSize: 4096, numLayers: 24, numHeads: 16, patchSize: 14, imageSize: 336, numChannels: 3, layerNormEps: 1e-5, hiddenAct: 'quick_gelu' });
    expect(c.text).toMatchObject({ hiddenSize: 4096, intermediateSize: 11008, numLayers: 32, numHeads: 32, numKvHeads: 32, headDim: 128, vocabSize: 32064, rmsNormEps: 1e-5, ropeTheta: 10000, maxPositionEmbeddings: 4096, hiddenAct: 'silu', tieWordEmbeddings: false });
    expect(c).toMatchObject({ projectorHiddenAct: 'gelu', projectorBias: true, visionFeatureLayer: -2, visionFeatureSelectStrategy: 'default', imageTokenIndex: 32000 });
    expect(c.video).toBeUndefined();
    expect(visionLayersNeeded(c)).toBe(23);
  });

  it('uses LlamaConfig defaults (rms_norm_eps 1e-6) and LLaVA\'s ViT-L/14-336 when sub-configs are absent', () => {
    const c = parseLlavaConfig({ model_type: 'llava' }, 'config.json');
    expect(c.text.rmsNormEps).toBe(1e-6);
    expect(c.text.vocabSize).toBe(32000);
    expect(c.vision).toMatchObject({ hiddenSize: 1024, numLayers: 24, patchSize: 14, imageSize: 336 });
    expect(c.imageTokenIndex).toBe(32000);
  });

  it('uses CLIPVisionConfig defaults for keys a partial vision_config omits', () => {
    const c = parseLlavaConfig({ model_type: 'llava', vision_config: { hidden_size: 64, num_attention_heads: 4 } }, 'config.json');
    expect(c.vision).toMatchObject({ hiddenSize: 64, intermediateSize: 3072, numLayers: 12, patchSize: 32, imageSize: 224, hiddenAct: 'quick_gelu' });
  });

  it('derives GQA head counts, head_dim and reads video keys and image_token_id', () => {
    const c = parseLlavaConfig({
      model_type: 'llava', image_token_id: 5,
      text_config: { hidden_size: 64, num_attention_heads: 8, num_key_value_heads: 2, vocab_size: 100 },
      spatial_pool_stride: 2, spatial_pool_mode: 'max',
    }, 'config.json');
    expect(c.text).toMatchObject({ numHeads: 8, numKvHeads: 2, headDim: 8 });
    expect(c.imageTokenIndex).toBe(5);
    expect(c.video).toEqual({ spatialPoolStride: 2, spatialPoolMode: 'max', numFrames: 8 });
  });

  it('reads transformers 5 rope_parameters, rejects RoPE scaling, and ties embeddings when either level says so', () => {
    const c = parseLlavaConfig({ model_type: 'llava', text_config: { rope_parameters: { rope_theta: 500000, rope_type: 'default' }, tie_word_embeddings: false }, tie_word_embeddings: true }, 'c');
    expect(c.text.ropeTheta).toBe(500000);
    expect(c.text.tieWordEmbeddings).toBe(true);
    expect(errorOf(() => parseLlavaConfig({ model_type: 'llava', text_config: { rope_scaling: { type: 'linear', factor: 2 } } }, 'c')).reason)
      .toMatch(/RoPE scaling 'linear'/);
  });

  it('names the file and the bad key', () => {
    expect(errorOf(() => parseLlavaConfig({ model_type: 'llava', text_config: { hidden_size: 'big' } }, '/m/config.json')).message)
      .toMatch(/^\/m\/config\.json: invalid text_config: hidden_size: .*expected number/);
    expect(errorOf(() => parseLlavaConfig({ model_type: 'llava', text_config: { num_attention_heads: 32, num_key_value_heads: 5 } }, 'c')).reason)
      .toMatch(/not a multiple of num_key_value_heads 5/);
    expect(errorOf(() => parseLlavaConfig({ model_type: 'llava', vision_feature_layer: [-2, -5] }, 'c')).reason).toMatch(/is a list/);
    expect(errorOf(() => parseLlavaConfig({ model_type: 'llava', vision_config: { model_type: 'siglip_vision_model' } }, 'c')).reason).toMatch(/siglip/);
  });

  it('rejects an unknown or missing model_type, with advice for original LLaVA checkpoints', () => {
    const e = errorOf(() => parseLlavaConfig({ model_type: 'llava_llama' }, '/m/config.json'));
    expect(e.kind).toBe('unknown-model-type');
    expect(e.message).toMatch(/model_type is 'llava_llama', expected 'llava'.*convert_llava_weights_to_hf/);
    expect(errorOf(() => parseLlavaConfig({}, 'c')).reason).toBe("model_type is missing, expected 'llava'");
  });
});

describe('parsePreprocessorConfig', () => {
  it('reads llava-1.5\'s CLIPImageProcessor config', () => {
    const p = parsePreprocessorConfig({
      crop_size: { height: 336, width: 336 }, do_center_crop: true, do_normalize: true, do_resize: true, do_rescale: true,
      image_mean: [0.48145466, 0.4578275, 0.40821073], image_std: [0.26862954, 0.26130258, 0.27577711], resample: 3,
      rescale_factor: 0.00392156862745098, size: { shortest_edge: 336 },
    }, 'p.json');
    expect(p).toMatchObject({ shortestEdge: 336, cropHeight: 336, cropWidth: 336, doResize: true, doCenterCrop: true, doNormalize: true, rescaleFactor: 1 / 255 });
  });

  it('accepts bare ints, broadcasts scalar mean/std, folds do_rescale=false into factor 1, defaults like CLIP', () => {
    const p = parsePreprocessorConfig({ size: 64, crop_size: 48, image_mean: 0.5, image_std: 0.25, do_rescale: false }, 'p.json');
    expect(p).toMatchObject({ shortestEdge: 64, cropHeight: 48, cropWidth: 48, imageMean: [0.5, 0.5, 0.5], imageStd: [0.25, 0.25, 0.25], rescaleFactor: 1 });
    expect(parsePreprocessorConfig({}, 'p.json')).toMatchObject({ shortestEdge: 224, cropHeight: 224, imageMean: [0.48145466, 0.4578275, 0.40821073] });
  });

  it('rejects exact height/width resizing and bad values, naming the file', () => {
    expect(errorOf(() => parsePreprocessorConfig({ size: { height: 32, width: 48 } }, '/m/p.json')).message).toMatch(/^\/m\/p\.json: size must give shortest_edge/);
    expect(errorOf(() => parsePreprocessorConfig({ image_std: [1, 0, 1] }, 'p.json')).reason).toMatch(/must be positive/);
  });
});
