import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../../../src/engine/models/graph/graph-builder';
import { OnnxDataType } from '../../../../src/engine/models/graph/onnx-proto';
import { cosineGram } from '../../../../src/engine/models/graph/ops';
import { buildProjectorGraph, buildVisionEmbeddingsGraph, buildVisionLayerGraph } from '../../../../src/engine/models/graph/vision-graphs';
import { cosineMatrix, matrix } from '../../../../src/engine/pruners/algorithms/matrix';
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

  it('the projector’s cosine probe is the cosine matrix of its own output, the same embeddings as without it', async () => {
    const N = 12;
    const x = Float32Array.from({ length: N * cfg.hiddenSize }, () => 2 * rand() - 1);
    x.fill(0, 5 * cfg.hiddenSize, 6 * cfg.hiddenSize); // a zero feature row, whose embedding is the bias path
    const feeds = { features: new ort.Tensor('float32', x, [N, cfg.hiddenSize]) };
    const act = model.config.projectorHiddenAct;
    const plain = await run(buildProjectorGraph(model.weights, cfg, model.config.text, act).toBytes(), feeds);
    const probed = await run(buildProjectorGraph(model.weights, cfg, model.config.text, act, true, { cosine: true }).toBytes(), feeds);
    const embeds = probed.embeds!.data as Float32Array;
    expect(Array.from(embeds)).toEqual(Array.from(plain.embeds!.data as Float32Array));
    expect(probed.cosine!.dims).toEqual([N, N]);
    expect(maxAbsDiff(probed.cosine!.data as Float32Array, cosineMatrix(matrix(embeds, N, model.config.text.hiddenSize)).data)).toBeLessThan(1e-5);
  });

  it('the cosine probe gives a zero row zero similarity to everything, itself included', async () => {
    const g = new GraphBuilder('cos');
    const x = g.input('x', OnnxDataType.FLOAT, ['N', 3]);
    g.output(cosineGram(g, x), 'cos', OnnxDataType.FLOAT, ['N', 'N']);
    const out = await run(g.toBytes(), { x: new ort.Tensor('float32', Float32Array.from([3, 4, 0, 0, 0, 0, -6, -8, 0]), [3, 3]) });
    expect(Array.from(out.cos!.data as Float32Array)).toEqual([1, 0, -1, 0, 0, 0, -1, 0, 1]);
  });
});
