/** The FLOPs model's view of a loaded config (src/shared/flops.ts cannot import engine types). */
import type { ModelDims } from '../../../shared/flops';
import { visionLayersNeeded } from './config';
import type { LlavaConfig } from './types';

/**
 * ModelDims for a LlavaConfig: ViT layers counted up to the feature layer (the layers that must
 * run), the projector from vision width to text width, the decoder with its GQA head counts.
 */
export function flopsDimsFromConfig(config: LlavaConfig, name: string): ModelDims {
  const { vision: v, text: t } = config;
  return {
    name,
    vision: {
      hiddenSize: v.hiddenSize, intermediateSize: v.intermediateSize, layersRun: visionLayersNeeded(config),
      patchSize: v.patchSize, imageSize: v.imageSize, numChannels: v.numChannels, clsToken: true,
    },
    projector: { inputSize: v.hiddenSize, hiddenSize: t.hiddenSize, outputSize: t.hiddenSize },
    text: {
      hiddenSize: t.hiddenSize, intermediateSize: t.intermediateSize, numLayers: t.numLayers,
      numHeads: t.numHeads, numKvHeads: t.numKvHeads, headDim: t.headDim, vocabSize: t.vocabSize,
    },
  };
}
