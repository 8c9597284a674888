import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeGreedy, decodeModeFor, decodeWithoutCache } from '../../../../src/engine/models/runtime/decode';
import { prefill, spliceSequence } from '../../../../src/engine/models/runtime/prefill';
import { preprocessImage } from '../../../../src/engine/models/runtime/preprocess';
import { encodeVisual } from '../../../../src/engine/models/runtime/vision';
import { VlmRuntime } from '../../../../src/engine/models/runtime/vlm';
import { maxAbsDiff } from '../../../helpers/reference/math';
import { greedyRef, lastLogitsRef, promptEmbedsRef, visualEmbedsRef } from '../../../helpers/reference/model';
import { projectorRef, selectFeaturesRef, visionHiddenStatesRef } from '../../../helpers/reference/vision';
import { seededRandom, tinyModel } from '../../../helpers/tiny-model';

/** A random RGB PNG of the given size. */
async function randomPng(width: number, height: number, seed: number): Promise<Buffer> {
  const rand = seededRandom(seed);
  const px = Buffer.from(Array.from({ length: width * height * 3 }, () => Math.floor(rand() * 256)));
  return sharp(px, { raw: { width, height, channels: 3 } }).png().toBuffer();
}

describe.each([
  { name: 'MHA, untied head', kvHeads: 4, tie: false },
  { name: 'GQA, tied embeddings', kvHeads: 2, tie: true },
  { name: 'attention/MLP biases, projector without', kvHeads: 2, tie: false, flip: true },
])('whole model vs float64 reference ($name)', ({ kvHeads, tie, flip }) => {
  const model = tinyModel({ kvHeads, tieWordEmbeddings: tie, seed: 21, flipBiases: flip });
  const rt = new VlmRuntime(model, { intraOpThreads: 1 });
  const perLayer = new VlmRuntime(model, { intraOpThreads: 1, decode: 'per-layer' });
  afterAll(async () => {
    await rt.dispose();
    await perLayer.dispose();
  });

  it('visual embeddings and last-token logits match (max abs diff ≤ 1e-4)', async () => {
    const png = await randomPng(40, 48, 3);
    const pixels = await preprocessImage(png, model.preprocessor);
    const visual = await encodeVisual(rt.graphs, [pixels]);
    const ref = visualEmbedsRef(model, pixels);
    expect(visual.count).toBe(16);
    expect(maxAbsDiff(visual.embeds, ref.embeds)).toBeLessThan(1e-4);

    const parts = model.prompt('what shape?');
    const { seq, layout } = spliceSequence(rt.embeddings(), model.config.text, parts.before, visual.embeds, visual.ids, parts.after);
    expect(layout.prefixLength).toBe(parts.before.length);
    const pf = await prefill(rt.graphs, seq, layout);
    const refLogits = lastLogitsRef(model, promptEmbedsRef(model, ref.embeds, 'what shape?'));
    const diff = maxAbsDiff(pf.lastLogits, refLogits);
    expect(diff).toBeLessThan(1e-4);
    expect(pf.tokenCounts).toEqual(Array(model.config.text.numLayers).fill(seq.length));
  });

  it('decoding with the KV cache (fused and per-layer steps) gives the same tokens as without it and as the reference', async () => {
    const png = await randomPng(32, 32, 9);
    const pixels = await preprocessImage(png, model.preprocessor);
    const visual = await encodeVisual(rt.graphs, [pixels]);
    const parts = model.prompt('color?');
    const { seq, layout } = spliceSequence(rt.embeddings(), model.config.text, parts.before, visual.embeds, visual.ids, parts.after);
    const prompt = seq.hidden.slice();
    const pf = await prefill(rt.graphs, seq, layout);
    const opts = { maxNewTokens: 8, stopIds: [] };
    const pf2 = await prefill(perLayer.graphs, spliceSequence(rt.embeddings(), model.config.text, parts.before, visual.embeds, visual.ids, parts.after).seq, layout);
    expect(decodeModeFor(rt.graphs)).toBe('fused');
    expect(decodeModeFor(perLayer.graphs)).toBe('per-layer');
    const cached = await decodeGreedy(rt.graphs, rt.embeddings(), pf.cache, pf.lastLogits, opts);
    const cachedPerLayer = await decodeGreedy(perLayer.graphs, rt.embeddings(), pf2.cache, pf2.lastLogits, opts);
    const uncached = await decodeWithoutCache(rt.graphs, rt.embeddings(), prompt, opts);
    expect(cached.ids).toHaveLength(8);
    expect(cached.ids).toEqual(uncached);
    expect(cachedPerLayer.ids).toEqual(uncached);
    expect(maxAbsDiff(pf.cache.layer(1).key, pf2.cache.layer(1).key)).toBeLessThan(1e-5);
    expect(cached.ids).toEqual(greedyRef(model, promptEmbedsRef(model, visualEmbedsRef(model, pixels).embeds, 'color?'), 8));
    expect(pf.cache.layer(0).length).toBe(seq.length + 7);
  });

  it('answer() runs all phases and reports counts, timings and provider', async () => {
    const r = await rt.answer({ images: [await randomPng(64, 40, 5)], question: 'q', maxNewTokens: 4 });
    expect(r.ids.length).toBeLessThanOrEqual(4);
    expect(r.firstToken.probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    expect(r.tokenCounts.projector).toBe(16);
    expect(r.tokenCounts.vit[0]).toEqual([17, 17]); // feature layer -2 of 3: layers 0 and 1 run
    expect(Object.keys(r.timings)).toEqual(['preprocess', 'vision', 'prefill', 'decode']);
    expect(r.provider).toBe('cpu');
  });
});

describe('video frames', () => {
  it('are encoded per frame, 2×2-pooled and concatenated in time order', async () => {
    const model = tinyModel({ seed: 4 });
    const rt = new VlmRuntime(model, { intraOpThreads: 1 });
    const frames = [await preprocessImage(await randomPng(32, 32, 1), model.preprocessor), await preprocessImage(await randomPng(32, 32, 2), model.preprocessor)];
    const both = await encodeVisual(rt.graphs, frames);
    expect(both.count).toBe(8);
    expect(both.frames.map((f) => [f.start, f.count])).toEqual([[0, 4], [4, 4]]);
    expect([...both.ids]).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    // Frame 1's tokens = projector(2×2 average of its 4×4 feature grid), per the float64 reference.
    const states = visionHiddenStatesRef(frames[1]!, model.weights, model.config.vision);
    const { features } = selectFeaturesRef(states, model.config);
    const D = model.config.vision.hiddenSize;
    const pooled = new Float64Array(4 * D);
    for (let r = 0; r < 4; r++) for (let c = 0; c < 4; c++) for (let d = 0; d < D; d++) {
      const dst = (Math.floor(r / 2) * 2 + Math.floor(c / 2)) * D + d;
      pooled[dst] = pooled[dst]! + features[(r * 4 + c) * D + d]! / 4;
    }
    const Dt = model.config.text.hiddenSize;
    expect(maxAbsDiff(both.embeds.subarray(4 * Dt), projectorRef(pooled, 4, model.weights, model.config))).toBeLessThan(1e-4);
    const single = await encodeVisual(rt.graphs, [frames[1]!]);
    expect(single.count).toBe(16);
    await rt.dispose();
  });
});
