/**
 * The defining behaviour of methods through the real runtime (tiny random LLaVAs): what each
 * method must do to the tokens the model actually runs on, checked against probes read
 * independently of the method and against the runtime's own counts.
 */
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { combineHooks, type RuntimeHooks } from '../../../src/engine/models/runtime/hooks';
import { VlmRuntime } from '../../../src/engine/models/runtime/vlm';
import { divPruneSelect } from '../../../src/engine/pruners/algorithms/divprune';
import { matrix } from '../../../src/engine/pruners/algorithms/matrix';
import { topK } from '../../../src/engine/pruners/algorithms/topk';
import { bindPruner, runGeometry } from '../../../src/engine/pruners/bind';
import { getPruner } from '../../../src/engine/pruners/registry';
import { keptAt } from '../../../src/shared/trace';
import { randomTensors, seededRandom, tinyConfig, tinyModel, tinyPreprocessor } from '../../helpers/tiny-model';

async function randomPng(size: number, seed: number): Promise<Buffer> {
  const rand = seededRandom(seed);
  const px = Buffer.from(Array.from({ length: size * size * 3 }, () => Math.floor(rand() * 256)));
  return sharp(px, { raw: { width: size, height: size, channels: 3 } }).png().toBuffer();
}

const question = 'how many circles?';

describe('on a 4×4-patch model with 8 decoder layers', () => {
  const model = tinyModel({ seed: 9, visionLayers: 4, textLayers: 8 });
  const rt = new VlmRuntime(model, { intraOpThreads: 1 });
  afterAll(() => rt.dispose());
  const geometry = runGeometry(model.config, 1);

  it('FastV keeps round(r·|V|) tokens the last token attends to most after layer K−1, at their original positions', async () => {
    const bound = bindPruner(getPruner('fastv'), { retention: 0.5 }, geometry);
    expect(bound.resolved.params).toEqual({ k: 1, keep: 8 }); // K = round(2/32·8) = 1
    let expected: number[] = [];
    let positions: number[] = [];
    // The spy also asks for visual rows at layer 0; FastV must still read only the last row.
    const spy: RuntimeHooks = {
      decoderProbes: (l, seq) => (l === 0 ? { attentionRows: [seq.visualSpan().start, seq.length - 1] } : undefined),
      afterDecoderLayer: ({ layer, seq, probes }) => {
        if (layer !== 0) return;
        const { start, count } = seq.visualSpan();
        const n = seq.length;
        expected = topK(probes.attentionRows!.values.slice(n + start, n + start + count), 8);
      },
    };
    const after: RuntimeHooks = { afterDecoderLayer: ({ layer, seq }) => void (layer === 0 && (positions = [...seq.positions])) };
    const r = await rt.answer({ images: [await randomPng(32, 1)], question, maxNewTokens: 2, hooks: combineHooks([spy, bound.hooks, after]) });
    const trace = bound.trace(r.layout);
    expect(r.tokenCounts.decoderVisual).toEqual([16, 8, 8, 8, 8, 8, 8, 8]);
    expect([...keptAt(trace, 0)]).toEqual(expected);
    const p = r.layout.prefixLength;
    expect(positions.slice(p, p + 8)).toEqual(expected.map((id) => p + id)); // original position ids (P1)
    expect(positions.slice(p + 8)).toEqual(Array.from({ length: r.layout.suffixLength }, (_, i) => p + 16 + i));
  });

  it('MustDrop merges a window into its bottom-right token, keeps its key set through every stage, and compacts the caches', async () => {
    // Threshold −1 merges every full 3×3 window: the 4×4 grid has one (tokens 0,1,2,4,5,6,8,9,10).
    const bound = bindPruner(getPruner('mustdrop'), { retention: 0.25, user: { mergeThreshold: -1 } }, geometry);
    let lastVitAttention: Float32Array | null = null;
    // The spy's extra attention row (the first token) must not count as one of MustDrop's text rows.
    const spy: RuntimeHooks = {
      decoderProbes: () => ({ attentionRows: [0] }),
      vitProbes: (l) => (l === 3 ? { clsAttention: true } : undefined),
      afterVitLayer: ({ layer, probes }) => void (layer === 3 && (lastVitAttention = probes.clsAttention!.slice(1))),
    };
    const caches: { length: number; next: number }[] = [];
    const after: RuntimeHooks = { beforeDecode: ({ cache }) => void caches.push(...cache.layers.map((c) => ({ length: c.length, next: c.nextPosition }))) };
    const r = await rt.answer({ images: [await randomPng(32, 2)], question, maxNewTokens: 2, hooks: combineHooks([spy, bound.hooks, after]) });
    const trace = bound.trace(r.layout);
    expect(r.tokenCounts.vit[0]).toEqual([17, 9, 9, 9]);
    expect(trace.groups[0]).toMatchObject({ name: 'window 0', members: [0, 1, 2, 4, 5, 6, 8, 9, 10], at: 10 });
    expect([...keptAt(trace, 0)]).toEqual([16, 3, 7, 11, 12, 13, 14, 15]); // merged first, then the rest ascending
    // Key set: ceil(0.08·8) = 1 token, the top CLS attention at the last ViT layer; it survives to the end.
    const keyPosition = topK(lastVitAttention!, 1)[0]!;
    const keyId = keptAt(trace, 0)[keyPosition]!;
    const final = keptAt(trace, trace.steps.length - 1);
    expect(final).toContain(keyId);
    expect(trace.steps.some((s) => s.stage === 'llm')).toBe(true);
    // KV: layers from the first pruning layer to the last hold only the final visual tokens; P3 decode positions.
    const text = r.layout.prefixLength + r.layout.suffixLength;
    const kv = trace.steps.find((s) => s.stage === 'kv')!;
    // Pruning after layers 2, 6, 10, 14 of 32 becomes after 0, 1, 2, 3 of 8 (cuts after 1, 2, 3, 4 full layers).
    expect(kv.kvLayers).toEqual({ from: 0, to: 3 });
    for (let l = 0; l <= 3; l++) expect(caches[l]!.length).toBe(text + final.length);
    for (let l = 4; l < 8; l++) expect(caches[l]!.length).toBe(r.tokenCounts.decoder[l]);
    for (const c of caches) expect(c.next).toBe(c.length);
  });

  it('VisionZip keeps the top CLS-attention patches of the feature layer and merges the rest into contextual tokens', async () => {
    const bound = bindPruner(getPruner('visionzip'), { retention: 0.5 }, geometry);
    expect(bound.resolved.params).toEqual({ dominant: 7, contextual: 1 }); // C = round(5·8/32) = 1
    let attention: Float32Array | null = null;
    const spy: RuntimeHooks = {
      vitProbes: (l) => (l === geometry.featureLayer ? { clsAttention: true } : undefined),
      afterVitLayer: ({ layer, probes }) => void (layer === geometry.featureLayer && (attention = probes.clsAttention!.slice(1))),
    };
    const r = await rt.answer({ images: [await randomPng(32, 6)], question, maxNewTokens: 2, hooks: combineHooks([spy, bound.hooks]) });
    const trace = bound.trace(r.layout);
    expect(r.tokenCounts.projector).toBe(8);
    expect([...keptAt(trace, 0)].slice(0, 7)).toEqual(topK(attention!, 7));
    expect(trace.groups).toHaveLength(1);
    expect(trace.groups[0]!.members.sort((a, b) => a - b)).toEqual(Array.from({ length: 16 }, (_, i) => i).filter((i) => !topK(attention!, 7).includes(i)));
  });

  it('DivPrune keeps the max-min diverse subset of the projected embeddings, in original order', async () => {
    const bound = bindPruner(getPruner('divprune'), { retention: 0.25 }, geometry);
    let embeds: Float32Array | null = null;
    let dim = 0;
    let probed = false;
    const spy: RuntimeHooks = { afterProjector: ({ seq, probes }) => void ((embeds = seq.hidden.slice()), (dim = seq.dim), (probed = !!probes?.cosine)) };
    const r = await rt.answer({ images: [await randomPng(32, 7)], question, maxNewTokens: 2, hooks: combineHooks([spy, bound.hooks]) });
    expect(probed).toBe(true); // the cosines came from the projector graph, checked against ours here
    const expected = divPruneSelect(matrix(embeds!, 16, dim), 4).sort((a, b) => a - b);
    expect([...keptAt(bound.trace(r.layout), 0)]).toEqual(expected);
    expect(r.tokenCounts.decoderVisual).toEqual(Array(8).fill(4));
  });

  it('ToDRE stage 2 removes every visual token after its check layer when the text attends below τ', async () => {
    const bound = bindPruner(getPruner('todre'), { retention: 0.5, user: { tau: 1 } }, geometry);
    const r = await rt.answer({ images: [await randomPng(32, 3)], question, maxNewTokens: 2, hooks: bound.hooks });
    expect(bound.resolved.params.checkLayer).toBe(6); // round(7·8/8) = 7, kept ≤ L−2 so a layer runs without
    expect(r.tokenCounts.decoderVisual).toEqual([8, 8, 8, 8, 8, 8, 8, 0]);
    expect(bound.trace(r.layout).steps.at(-1)!.label).toMatch(/ToDRE stage 2/);
  });

  it('SparseVLM places recycled cluster tokens right after the kept tokens', async () => {
    const bound = bindPruner(getPruner('sparsevlm'), { retention: 0.5, user: { schedule: [{ layer: 2, keep: 6, clusters: 1 }] } }, geometry);
    const r = await rt.answer({ images: [await randomPng(32, 4)], question, maxNewTokens: 2, hooks: bound.hooks });
    const trace = bound.trace(r.layout);
    // 10 deleted → ⌊0.3·10⌋+1 = 4 recycled → ⌊4/10⌋+1 = 1 cluster.
    expect(r.tokenCounts.decoderVisual.slice(3)).toEqual([7, 7, 7, 7, 7]);
    const step = trace.steps[0]!;
    expect(step.created).toHaveLength(1);
    expect(trace.groups[0]!.members).toHaveLength(4);
    expect(step.order.at(-1)).toBe(trace.groups[0]!.id);
    expect(step.dropped).toHaveLength(6);
  });
});

describe('on a 10×10-patch model (a grid not divisible by 3)', () => {
  const config = tinyConfig({ seed: 4, visionLayers: 3, textLayers: 4 });
  config.vision = { ...config.vision, imageSize: 40, patchSize: 4 };
  const model = { ...tinyModel({ seed: 4 }), config, preprocessor: tinyPreprocessor(40), weights: randomTensors(config, 4) };
  const rt = new VlmRuntime(model, { intraOpThreads: 1 });
  afterAll(() => rt.dispose());

  it('MustDrop merges only the nine full 3×3 windows; the last row and column stay unmerged', async () => {
    const bound = bindPruner(getPruner('mustdrop'), { retention: 0.5, user: { mergeThreshold: -1 } }, runGeometry(config, 1));
    const r = await rt.answer({ images: [await randomPng(40, 8)], question, maxNewTokens: 1, hooks: bound.hooks });
    const trace = bound.trace(r.layout);
    expect(r.tokenCounts.vit[0]).toEqual([101, 29, 29]); // 100 − 9·8 = 28 patches + CLS
    const merge = trace.steps[0]!;
    expect(merge.created).toHaveLength(9);
    const unmerged = [...merge.order.filter((id) => id < 100)].sort((a, b) => a - b);
    expect(unmerged).toEqual([9, 19, 29, 39, 49, 59, 69, 79, 89, 90, 91, 92, 93, 94, 95, 96, 97, 98, 99]);
    expect(trace.groups.map((g) => g.at)).toEqual(expect.arrayContaining([22, 25, 28, 52, 55, 58, 82, 85, 88]));
  });
});

describe('on a 24×24-patch model with 32 decoder layers', () => {
  const config = tinyConfig({ seed: 3, visionLayers: 2, textLayers: 32 });
  config.vision = { ...config.vision, imageSize: 96, patchSize: 4 };
  const model = { ...tinyModel({ seed: 3 }), config, preprocessor: tinyPreprocessor(96), weights: randomTensors(config, 3) };
  const rt = new VlmRuntime(model, { intraOpThreads: 1 });
  afterAll(() => rt.dispose());

  it('TransPrune runs 576 → 504 → 360 → 72 after layers 6, 8 and 11', async () => {
    const bound = bindPruner(getPruner('transprune'), { retention: 0.41, user: { gamma: 1 } }, runGeometry(config, 1));
    const r = await rt.answer({ images: [await randomPng(96, 5)], question, maxNewTokens: 1, hooks: bound.hooks });
    const trace = bound.trace(r.layout);
    expect(trace.steps.map((s) => [s.layer, s.order.length])).toEqual([
      [6, 504],
      [8, 360],
      [11, 72],
    ]);
    expect(r.tokenCounts.decoderVisual.slice(5, 13)).toEqual([576, 576, 504, 504, 360, 360, 360, 72]);
  }, 120_000);

  it('PyramidDrop at λ = 0.5 runs 576 → 288 → 144 → 72 after layers 7, 15 and 23', async () => {
    const bound = bindPruner(getPruner('pdrop'), { retention: 0.47, user: { lambda: 0.5 } }, runGeometry(config, 1));
    const r = await rt.answer({ images: [await randomPng(96, 6)], question, maxNewTokens: 1, hooks: bound.hooks });
    const trace = bound.trace(r.layout);
    expect(trace.steps.map((s) => [s.layer, s.order.length])).toEqual([
      [7, 288],
      [15, 144],
      [23, 72],
    ]);
    expect(trace.layers.map((l) => l.visual)).toEqual(r.tokenCounts.decoderVisual);
  }, 120_000);
});
