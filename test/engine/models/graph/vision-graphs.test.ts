import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { buildProjectorGraph, buildVisionEmbeddingsGraph, buildVisionLayerGraph } from '../../../../src/engine/models/graph/vision-graphs';
import { maxAbsDiff } from '../../../helpers/reference/math';
import { projectorRef, visionEmbeddingsRef, visionLayerRef } from '../../../helpers/reference/vision';
import { seededRandom, tinyModel } from '../../../helpers/tiny-model';

async function run(bytes: Uint8Array, feeds: Record<string, ort.Tensor>): Promise<Record<string, ort.Tensor>> {
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 });
  return session.run(feeds);
}

describe('vision graphs', () => {
  const model = tinyModel({ seed: 11 });
  const cfg = model.config.vision;
  const S = cfg.imageSize;
  const rand = seededRandom(5);
  const pixels = Float32Array.from({ length: 3 * S * S }, () => 2 * rand() - 1);

  it('embeddings (conv patches, CLS, positions, pre_layrnorm) match the reference', async () => {
    const out = await run(buildVisionEmbeddingsGraph(model.weights, cfg).toBytes(), { pixel_values: new ort.Tensor('float32', pixels, [1, 3, S, S]) });
    const ref = visionEmbeddingsRef(pixels, model.weights, cfg);
    expect(out.hidden_out!.dims).toEqual([17, cfg.hiddenSize]);
    expect(maxAbsDiff(out.hidden_out!.data as Float32Array, ref)).toBeLessThan(1e-4);
  });

  it.each([17, 11])('an encoder layer and its probes match the reference at N=%i tokens', async (N) => {
    const D = cfg.hiddenSize;
    const x = Float32Array.from({ length: N * D }, () => 2 * rand() - 1);
    const out = await run(buildVisionLayerGraph(model.weights, cfg, 1, { clsAttention: true, keyMean: true }).toBytes(), { hidden: new ort.Tensor('float32', x, [N, D]) });
    const ref = visionLayerRef(Float64Array.from(x), N, model.weights, cfg, 1);
    expect(maxAbsDiff(out.hidden_out!.data as Float32Array, ref.out)).toBeLessThan(1e-4);
    expect(maxAbsDiff(out.cls_attn!.data as Float32Array, ref.clsAttn)).toBeLessThan(1e-5);
    expect(maxAbsDiff(out.key_mean!.data as Float32Array, ref.keyMean)).toBeLessThan(1e-5);
  });

  it('a layer without probes has only the hidden output', async () => {
    const g = buildVisionLayerGraph(model.weights, cfg, 0, {});
    expect(g.outputNames()).toEqual(['hidden_out']);
  });

  it('the projector matches the reference', async () => {
    const N = 16;
    const x = Float32Array.from({ length: N * cfg.hiddenSize }, () => 2 * rand() - 1);
    const out = await run(buildProjectorGraph(model.weights, cfg, model.config.text, model.config.projectorHiddenAct).toBytes(), { features: new ort.Tensor('float32', x, [N, cfg.hiddenSize]) });
    expect(maxAbsDiff(out.embeds!.data as Float32Array, projectorRef(Float64Array.from(x), N, model.weights, model.config))).toBeLessThan(1e-4);
  });
});
