/**
 * The binder's edit application without a model: a test method edits a hand-built TokenSequence
 * through the runtime hook the binder returns, and the tensors and the trace must agree.
 */
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { TokenSequence } from '../../../src/engine/models/runtime/token-sequence';
import { bindPruner } from '../../../src/engine/pruners/bind';
import { cosineMatrix } from '../../../src/engine/pruners/algorithms/matrix';
import { definePruner, type RunGeometry, type TokenEdit } from '../../../src/engine/pruners/define';

const geometry: RunGeometry = { vitLayers: 2, featureLayer: 0, decoderLayers: 2, patchGrid: { rows: 2, cols: 2 }, grid: { frames: 1, rows: 2, cols: 2 }, visualTokens: 4 };

/** The fields every test method here shares. */
const testFields = {
  label: 'test',
  paper: { title: 'test', arxiv: '', url: '' },
  modalities: ['image' as const],
  retention: 'kept' as const,
  guidance: 'none' as const,
  createState: () => ({}),
};

/** The fields of a test method without parameters. */
const parameterless = {
  params: z.object({}),
  resolveParams: () => ({ params: {} }),
};

function testMethod(edit: TokenEdit) {
  return definePruner({
    ...testFields,
    id: 'random',
    stages: ['vision'],
    ...parameterless,
    positions: 'compact',
    needs: () => ({}),
    hooks: { beforeLlm: () => edit },
  });
}

/** Four visual tokens of width 2: token i = [i, 10·i]. */
function visual(): TokenSequence {
  return new TokenSequence(Float32Array.from([0, 0, 1, 10, 2, 20, 3, 30]), 2, new Uint8Array(4).fill(1), undefined, Int32Array.from([0, 1, 2, 3]));
}

describe('bindPruner edits', () => {
  it('merges into the plain mean at the representative row, keeps rows, and records the same in the trace', async () => {
    const bound = bindPruner(testMethod({ label: 'merge', sequence: [{ keep: 3 }, { merge: [0, 2], name: 'g', at: 2 }], scores: [0.1, 0.2, 0.3, 0.4] }), { retention: 0.5 }, geometry);
    const seq = visual();
    await bound.hooks.afterProjector!({ seq, frames: [{ frame: 0, start: 0, count: 4, grid: { rows: 2, cols: 2 } }], tokensPerFrame: 4 });
    expect(Array.from(seq.hidden)).toEqual([3, 30, 1, 10]);
    expect(Array.from(seq.sources)).toEqual([3, 2]); // the merged row sits where its `at` member was
    const trace = bound.trace({ prefixLength: 1, visualIds: Int32Array.from([3, 2]), suffixLength: 2 });
    expect(trace.steps[0]).toMatchObject({ stage: 'vision', order: [3, 4], dropped: [{ id: 1, score: 0.2 }], created: [4] });
    expect(trace.groups[0]).toMatchObject({ members: [0, 2], at: 2 });
  });

  it('refuses positions outside the block and scores of the wrong length, before touching anything', async () => {
    for (const edit of [
      { label: 'bad position', sequence: [{ keep: 4 }] },
      { label: 'bad scores', sequence: [{ keep: 0 }], scores: [1, 2] },
    ]) {
      const bound = bindPruner(testMethod(edit), { retention: 0.5 }, geometry);
      const seq = visual();
      await expect(async () => bound.hooks.afterProjector!({ seq, frames: [], tokensPerFrame: 4 })).rejects.toThrow(edit.label === 'bad position' ? /position 4 is outside/ : /2 scores for 4 tokens/);
      expect(seq.length).toBe(4);
    }
  });
});

describe('bindPruner next-layer scores', () => {
  const method = definePruner({
    ...testFields,
    id: 'pdrop',
    stages: ['llm'],
    ...parameterless,
    positions: 'original',
    needs: () => ({ decoder: [{ layer: 0, nextLayer: 'last' as const }] }),
    hooks: { afterDecoderLayer: (input) => ({ label: 'drop the lowest', sequence: [0, 1, 2, 3].filter((i) => i !== argmin(input.nextLayer!.values.data, input.span.visualStart, 4)).map((keep) => ({ keep })) }) },
  });
  const argmin = (row: Float32Array, start: number, count: number): number => {
    let best = 0;
    for (let i = 1; i < count; i++) if (row[start + i]! < row[start + best]!) best = i;
    return best;
  };
  /** One text row, four visual tokens, one text row. */
  const sequence = (): TokenSequence => new TokenSequence(new Float32Array(12), 2, Uint8Array.from([0, 1, 1, 1, 1, 0]));
  const layout = { prefixLength: 1, visualIds: Int32Array.from([0, 1, 2, 3]), suffixLength: 1 };

  it('asks for them as an in-graph probe of the layer and reads them from the probes, without the separate scorer', async () => {
    const bound = bindPruner(method, { retention: 0.75 }, geometry);
    const seq = sequence();
    expect(bound.hooks.decoderProbes!(0, seq)).toEqual({ nextLayerRows: [5] });
    const values = Float32Array.from([0.1, 0.3, 0.05, 0.2, 0.15, 0.2]);
    let scorerCalls = 0;
    const nextLayerScores = async (): Promise<Float32Array> => {
      scorerCalls++;
      return values;
    };
    await bound.hooks.afterDecoderLayer!({ layer: 0, numLayers: 2, seq, layout, probes: { nextLayer: { rows: [5], values } }, nextLayerScores });
    expect(scorerCalls).toBe(0);
    expect(Array.from(seq.sources)).toEqual([0, 1, 3, 4, 5]); // visual token 1 (row 2, score 0.05, the lowest) dropped
    // Without the probe (rows changed, or a runtime that did not compute it) the scorer answers.
    const again = bindPruner(method, { retention: 0.75 }, geometry);
    const seq2 = sequence();
    again.hooks.decoderProbes!(0, seq2);
    await again.hooks.afterDecoderLayer!({ layer: 0, numLayers: 2, seq: seq2, layout, probes: {}, nextLayerScores });
    expect(scorerCalls).toBe(1);
    expect(Array.from(seq2.sources)).toEqual([0, 1, 3, 4, 5]);
  });
});

describe('bindPruner and the projector cosine probe', () => {
  // Keeps the token most similar to token 0 by the cosine matrix it is handed (or computes).
  const nearest = definePruner({
    ...testFields,
    id: 'divprune',
    stages: ['vision'],
    ...parameterless,
    positions: 'compact',
    needs: () => ({ projectorCosine: true }),
    hooks: {
      beforeLlm: ({ features, cosine }) => {
        const sim = cosine ?? cosineMatrix(features);
        let best = 1;
        for (let j = 2; j < sim.cols; j++) if (sim.data[j]! > sim.data[best]!) best = j;
        return { label: 'nearest', sequence: [{ keep: best }] };
      },
    },
  });
  const frames = [{ frame: 0, start: 0, count: 4, grid: { rows: 2, cols: 2 } }];
  // A made-up matrix that names token 3 nearest to token 0; the real cosines of the zero token 0
  // are all 0, so the hook keeps token 1 (the first it looks at) when it computes them.
  const planted = Float32Array.from({ length: 16 }, (_, i) => (i === 3 ? 0.9 : 0));

  it('asks for it, and hands the hook the matrix computed for the tokens it sees', async () => {
    const bound = bindPruner(nearest, { retention: 0.25 }, geometry);
    expect(bound.hooks.projectorProbes!()).toEqual({ cosine: true });
    const seq = visual();
    await bound.hooks.afterProjector!({ seq, frames, tokensPerFrame: 4, probes: { cosine: planted, sources: Int32Array.from([0, 1, 2, 3]) } });
    expect(Array.from(seq.sources)).toEqual([3]);
  });

  it('computes it instead when the probe describes other tokens (a hook before edited them)', async () => {
    const bound = bindPruner(nearest, { retention: 0.25 }, geometry);
    const seq = visual();
    await bound.hooks.afterProjector!({ seq, frames, tokensPerFrame: 4, probes: { cosine: planted, sources: Int32Array.from([0, 1, 3, 2]) } });
    expect(Array.from(seq.sources)).toEqual([1]);
  });

  it('is not requested by a method that does not declare it', () => {
    expect(bindPruner(testMethod({ label: 'keep', sequence: [{ keep: 0 }] }), { retention: 0.25 }, geometry).hooks.projectorProbes).toBeUndefined();
  });
});

describe('bindPruner parameters', () => {
  const withParam = definePruner({
    ...testFields,
    id: 'random',
    stages: ['vision'],
    params: z.object({ keep: z.number().int().optional().describe('k'), layers: z.array(z.number()).default([1, 2]).describe('l') }),
    positions: 'compact',
    resolveParams: (_r, user) => ({ params: user }),
    needs: () => ({}),
    hooks: {},
  });

  it('hands every bind its own copy of the parsed parameters (the parse is cached)', () => {
    const a = bindPruner(withParam, { retention: 0.5, user: { keep: 2 } }, geometry).resolved.params as { layers: number[] };
    a.layers.push(99);
    const b = bindPruner(withParam, { retention: 0.5, user: { keep: 2 } }, geometry).resolved.params as { layers: number[] };
    expect(b).toEqual({ keep: 2, layers: [1, 2] });
  });

  it('still rejects an unknown name after the same values without it were cached, even when it is undefined', () => {
    bindPruner(withParam, { retention: 0.5, user: {} }, geometry);
    expect(() => bindPruner(withParam, { retention: 0.5, user: { bogus: undefined } }, geometry)).toThrow(/bogus/);
    expect(() => bindPruner(withParam, { retention: 0.5, user: { keep: 1.5 } }, geometry)).toThrow(/keep/);
  });
});

describe('bindPruner ViT layers', () => {
  /** A method that records every ViT layer its hook was called after. */
  const watcher = (vit: { layer: number; clsAttention?: boolean }[], seen: number[]) => definePruner({
    ...testFields,
    id: 'mustdrop',
    stages: ['vit'],
    ...parameterless,
    positions: 'compact',
    needs: () => ({ vit }),
    hooks: { afterVitLayer: (input) => void seen.push(input.layer) },
  });
  /** CLS and the 2×2 patches of the test geometry, width 2. */
  const vitContext = (layer: number) => ({ frame: 0, frameCount: 1, layer, numLayers: 2, grid: { rows: 2, cols: 2 }, seq: new TokenSequence(new Float32Array(10), 2, Uint8Array.from([0, 1, 1, 1, 1])), probes: {}, featuresTaken: false });

  it('calls afterVitLayer only after the layers in needs.vit, an entry without probes asking for the call alone', async () => {
    const seen: number[] = [];
    const bound = bindPruner(watcher([{ layer: 1 }], seen), { retention: 0.5 }, geometry);
    // No probe flag anywhere: nothing to request before a layer runs.
    expect(bound.hooks.vitProbes).toBeUndefined();
    // Declared to the runtime, which then skips the other layers; the binder checks again.
    expect(bound.hooks.afterVitLayers).toEqual([1]);
    for (const layer of [0, 1]) await bound.hooks.afterVitLayer!(vitContext(layer));
    expect(seen).toEqual([1]);
  });

  it('requests probes only where a flag asks, and leaves the hook out when no ViT layer is declared', () => {
    const seen: number[] = [];
    const probing = bindPruner(watcher([{ layer: 0 }, { layer: 1, clsAttention: true }], seen), { retention: 0.5 }, geometry);
    expect([0, 1].map((l) => probing.hooks.vitProbes!(l))).toEqual([undefined, { clsAttention: true, keyMean: false }]);
    expect(probing.hooks.afterVitLayers).toEqual([0, 1]);
    const none = bindPruner(watcher([], seen), { retention: 0.5 }, geometry).hooks;
    expect(none.afterVitLayer).toBeUndefined();
    expect(none.afterVitLayers).toBeUndefined();
  });
});
