/**
 * The hook API against the float64 reference: probes read inside the ViT and the decoder, token
 * edits at every stage (ViT merge, before/after the projector, between decoder layers), position
 * conventions, and KV-cache compaction before decoding.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { DecoderProbes, RuntimeHooks, VitProbes } from '../../../../src/engine/models/runtime/hooks';
import { combineHooks } from '../../../../src/engine/models/runtime/hooks';
import { decodeGreedy } from '../../../../src/engine/models/runtime/decode';
import { lmHeadLogits, prefill, spliceSequence } from '../../../../src/engine/models/runtime/prefill';
import { encodeVisual } from '../../../../src/engine/models/runtime/vision';
import type { TokenSequence } from '../../../../src/engine/models/runtime/token-sequence';
import { originalPositions, VlmRuntime } from '../../../../src/engine/models/runtime/vlm';
import { decoderLayerRef, embedRef, lmHeadRef, queryKeyRowsRef, type RefCache } from '../../../helpers/reference/decoder';
import { headMeanRows, maxAbsDiff } from '../../../helpers/reference/math';
import { projectorRef, visionEmbeddingsRef, visionLayerRef } from '../../../helpers/reference/vision';
import { seededRandom, tinyModel } from '../../../helpers/tiny-model';

const model = tinyModel({ kvHeads: 2, seed: 31 });
const rt = new VlmRuntime(model, { intraOpThreads: 1 });
afterAll(() => rt.dispose());
const rand = seededRandom(8);
const pixels = Float32Array.from({ length: 3 * 32 * 32 }, () => 2 * rand() - 1);
const vcfg = model.config.vision;
const tcfg = model.config.text;

describe('vision hooks', () => {
  it('probes at a layer past the feature layer run that layer and match the reference', async () => {
    const seen: Array<{ layer: number; probes: VitProbes }> = [];
    const visual = await encodeVisual(rt.graphs, [pixels], {
      vitProbes: (l) => (l === 2 ? { clsAttention: true, keyMean: true } : undefined),
      afterVitLayer: (ctx) => void seen.push({ layer: ctx.layer, probes: ctx.probes }),
    });
    expect(visual.vitTokenCounts).toEqual([[17, 17, 17]]);
    expect(seen.map((s) => s.layer)).toEqual([0, 1, 2]);
    let x = visionEmbeddingsRef(pixels, model.weights, vcfg);
    for (let l = 0; l < 2; l++) x = visionLayerRef(x, 17, model.weights, vcfg, l).out;
    const ref = visionLayerRef(x, 17, model.weights, vcfg, 2);
    expect(maxAbsDiff(seen[2]!.probes.clsAttention!, ref.clsAttn)).toBeLessThan(1e-5);
    expect(maxAbsDiff(seen[2]!.probes.keyMean!, ref.keyMean)).toBeLessThan(1e-5);
    expect(seen[0]!.probes.clsAttention).toBeUndefined();
  });

  it('asks for ViT probes once per layer per answer, and applies the request to every frame', async () => {
    const asked: number[] = [];
    const read: Array<[number, number]> = [];
    await encodeVisual(rt.graphs, [pixels, pixels.map((x) => -x), pixels], {
      vitProbes: (l) => (asked.push(l), l === 1 ? { clsAttention: true } : undefined),
      afterVitLayer: ({ frame, layer, probes }) => void (probes.clsAttention && read.push([frame, layer])),
    });
    expect(asked).toEqual(Array.from({ length: vcfg.numLayers }, (_, l) => l));
    expect(read).toEqual([[0, 1], [1, 1], [2, 1]]);
  });

  it('with afterVitLayers declared, afterVitLayer runs only after those layers, for every frame', async () => {
    const seen: Array<[number, number]> = [];
    await encodeVisual(rt.graphs, [pixels, pixels], { afterVitLayers: [1], afterVitLayer: ({ frame, layer }) => void seen.push([frame, layer]) });
    expect(seen).toEqual([[0, 1], [1, 1]]);
  });

  it('combineHooks limits afterVitLayer to declared layers only when every hook with one declares them', () => {
    const a: RuntimeHooks = { afterVitLayers: [2], afterVitLayer: () => undefined };
    expect(combineHooks([a, { afterVitLayers: [0], afterVitLayer: () => undefined }]).afterVitLayers).toEqual([0, 2]);
    expect(combineHooks([a, { beforeDecode: () => undefined }]).afterVitLayers).toEqual([2]);
    expect(combineHooks([a, { afterVitLayer: () => undefined }]).afterVitLayers).toBeUndefined();
  });

  it('a merge after ViT layer 0 shortens later layers and reaches the projector', async () => {
    // Keep CLS and patches 0..7, replacing patch 0 by the mean of patches 0 and 8 (a 2-token merge).
    const hooks: RuntimeHooks = {
      afterVitLayer: ({ layer, seq }) => {
        if (layer !== 0) return;
        const merged = seq.hidden.slice();
        for (let d = 0; d < seq.dim; d++) merged[seq.dim + d] = (seq.row(1)[d]! + seq.row(9)[d]!) / 2;
        seq.setHidden(merged);
        seq.gather([0, 1, 2, 3, 4, 5, 6, 7, 8]);
      },
    };
    const visual = await encodeVisual(rt.graphs, [pixels], hooks);
    expect(visual.vitTokenCounts).toEqual([[17, 9]]);
    expect([...visual.ids]).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(visual.frames[0]!.grid).toBeNull();
    const D = vcfg.hiddenSize;
    const l0 = visionLayerRef(visionEmbeddingsRef(pixels, model.weights, vcfg), 17, model.weights, vcfg, 0).out;
    const x = l0.slice(0, 9 * D);
    for (let d = 0; d < D; d++) x[D + d] = (l0[D + d]! + l0[9 * D + d]!) / 2;
    const feats = visionLayerRef(x, 9, model.weights, vcfg, 1).out.slice(D);
    expect(maxAbsDiff(visual.embeds, projectorRef(feats, 8, model.weights, model.config))).toBeLessThan(1e-4);
  });

  it('beforeProjector/afterProjector gathers keep visual ids and frame spans', async () => {
    const visual = await encodeVisual(rt.graphs, [pixels], {
      beforeProjector: ({ seq }) => seq.gather([2, 5, 7, 11]),
      afterProjector: ({ seq }) => seq.gather([0, 2, 3]),
    });
    expect(visual.projectorTokens).toBe(4);
    expect([...visual.ids]).toEqual([2, 7, 11]);
    expect(visual.frames).toEqual([{ frame: 0, start: 0, count: 3, grid: null }]);
  });
});

describe('decoder hooks', () => {
  async function start(): Promise<{ seq: TokenSequence; layout: Parameters<typeof prefill>[2]; n: number }> {
    const visual = await encodeVisual(rt.graphs, [pixels]);
    const parts = model.prompt('which shape is red');
    const { seq, layout } = spliceSequence(rt.embeddings(), tcfg, parts.before, visual.embeds, visual.ids, parts.after);
    return { seq, layout, n: seq.length };
  }

  it('attention rows, transitions and next-layer q·k scores match the reference', async () => {
    const { seq, layout, n } = await start();
    const textRows = Array.from({ length: layout.suffixLength }, (_, i) => n - layout.suffixLength + i);
    let entering1: Float64Array | null = null;
    let probes1: DecoderProbes | null = null;
    let qk: Float32Array | null = null;
    await prefill(rt.graphs, seq, layout, {
      decoderProbes: (l) => (l === 1 ? { attentionRows: textRows, transitions: true } : undefined),
      afterDecoderLayer: async (ctx) => {
        if (ctx.layer === 0) {
          entering1 = Float64Array.from(ctx.seq.hidden);
          qk = await ctx.nextLayerScores(textRows);
        }
        if (ctx.layer === 1) probes1 = ctx.probes;
      },
    });
    const positions = Array.from({ length: n }, (_, i) => i);
    const ref = decoderLayerRef(entering1!, positions, model.weights, tcfg, 1);
    expect(maxAbsDiff(probes1!.attentionRows!.values, headMeanRows(ref.probs, tcfg.numHeads, n, n, textRows))).toBeLessThan(1e-5);
    expect(probes1!.attentionRows!.values.slice(0, n).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    expect(maxAbsDiff(probes1!.transitions!.attnRatio, ref.attnRatio)).toBeLessThan(1e-4);
    expect(maxAbsDiff(probes1!.transitions!.attnCos, ref.attnCos)).toBeLessThan(1e-5);
    expect(maxAbsDiff(probes1!.transitions!.mlpRatio, ref.mlpRatio)).toBeLessThan(1e-4);
    expect(maxAbsDiff(probes1!.transitions!.mlpCos, ref.mlpCos)).toBeLessThan(1e-5);
    expect(maxAbsDiff(qk!, queryKeyRowsRef(entering1!, positions, model.weights, tcfg, 1, textRows))).toBeLessThan(1e-5);
  });

  it.each(['original', 'compact'] as const)('dropping visual tokens after layer 0 with %s positions matches the reference', async (convention) => {
    const { seq, layout, n } = await start();
    const vStart = layout.prefixLength;
    const keep = Array.from({ length: n }, (_, i) => i).filter((i) => i < vStart || i >= vStart + 16 || (i - vStart) % 2 === 0);
    let entering0: Float64Array | null = null;
    const pf = await prefill(rt.graphs, seq, layout, {
      decoderProbes: (l, s) => {
        if (l === 0) entering0 = Float64Array.from(s.hidden);
        return undefined;
      },
      afterDecoderLayer: ({ layer, seq: s }) => {
        if (layer !== 0) return;
        s.gather(keep);
        if (convention === 'compact') s.compactPositions();
      },
    });
    expect(pf.tokenCounts).toEqual([n, keep.length, keep.length]);
    expect(pf.visualCounts).toEqual([16, 8, 8]);
    expect(pf.cache.layers.map((c) => c.length)).toEqual([n, keep.length, keep.length]);
    const D = tcfg.hiddenSize;
    const full = Array.from({ length: n }, (_, i) => i);
    const out0 = decoderLayerRef(entering0!, full, model.weights, tcfg, 0).out;
    let x: Float64Array = new Float64Array(keep.length * D);
    keep.forEach((r, i) => x.set(out0.subarray(r * D, (r + 1) * D), i * D));
    const pos = convention === 'compact' ? keep.map((_, i) => i) : keep;
    for (let l = 1; l < tcfg.numLayers; l++) x = decoderLayerRef(x, pos, model.weights, tcfg, l).out;
    expect(maxAbsDiff(pf.lastLogits, lmHeadRef(x.slice((keep.length - 1) * D), 1, model.weights, tcfg))).toBeLessThan(1e-4);
    expect(pf.cache.layer(1).nextPosition).toBe(convention === 'compact' ? keep.length : n);
    expect(pf.cache.layer(0).nextPosition).toBe(n);
  });

  it('with afterDecoderLayers declared, layers between hook points run fused and equal one session per layer', async () => {
    // Five layers: a drop after layer 0 (declared), a probe at layer 3 → segments [0], [1..3], [4].
    const deep = tinyModel({ kvHeads: 2, seed: 31, textLayers: 5 });
    const fused = new VlmRuntime(deep, { intraOpThreads: 1, prefill: 'fused' });
    const split = new VlmRuntime(deep, { intraOpThreads: 1, prefill: 'per-layer' });
    try {
      const run = async (runtime: VlmRuntime) => {
        const visual = await encodeVisual(runtime.graphs, [pixels]);
        const parts = deep.prompt('which shape is red');
        const { seq, layout } = spliceSequence(runtime.embeddings(), deep.config.text, parts.before, visual.embeds, visual.ids, parts.after);
        const probed: Array<{ layer: number; length: number }> = [];
        const after: number[] = [];
        let rows: Float32Array | undefined;
        const pf = await prefill(runtime.graphs, seq, layout, {
          decoderProbes: (l, s) => {
            probed.push({ layer: l, length: s.length });
            return l === 3 ? { attentionRows: [s.length - 1] } : undefined;
          },
          afterDecoderLayers: [0],
          afterDecoderLayer: ({ layer, seq: s, probes }) => {
            after.push(layer);
            if (layer === 0) s.gather(Array.from({ length: s.length }, (_, i) => i).filter((i) => i % 2 === 0 || s.visual[i] === 0));
            if (layer === 3) rows = probes.attentionRows!.values;
          },
        });
        return { pf, probed, after, rows: rows! };
      };
      const a = await run(fused);
      const b = await run(split);
      expect(a.after).toEqual([0, 3]);
      expect(b.after).toEqual([0, 3]);
      expect(a.probed).toEqual(b.probed);
      expect(a.probed.map((p) => p.layer)).toEqual([0, 1, 2, 3, 4]);
      expect(a.pf.tokenCounts).toEqual(b.pf.tokenCounts);
      expect(Array.from(a.pf.lastLogits)).toEqual(Array.from(b.pf.lastLogits));
      expect(Array.from(a.rows)).toEqual(Array.from(b.rows));
      a.pf.cache.layers.forEach((c, l) => {
        const d = b.pf.cache.layer(l);
        expect(Array.from(c.key)).toEqual(Array.from(d.key));
        expect(Array.from(c.value)).toEqual(Array.from(d.value));
        expect([c.positions, Array.from(c.sources), c.nextPosition]).toEqual([d.positions, Array.from(d.sources), d.nextPosition]);
      });
    } finally {
      await fused.dispose();
      await split.dispose();
    }
  });

  it('the fused segment ending at the last layer gives the LM head graph\'s logits; an edit after the last layer is seen', async () => {
    // Four layers, a drop after layer 0 → segments [0], [1..3]; the second carries the LM head.
    const deep = tinyModel({ kvHeads: 2, seed: 33, textLayers: 4 });
    const fused = new VlmRuntime(deep, { intraOpThreads: 1, prefill: 'fused' });
    const split = new VlmRuntime(deep, { intraOpThreads: 1, prefill: 'per-layer' });
    try {
      const run = async (runtime: VlmRuntime, editLast: boolean) => {
        const visual = await encodeVisual(runtime.graphs, [pixels]);
        const parts = deep.prompt('which shape is red');
        const { seq, layout } = spliceSequence(runtime.embeddings(), deep.config.text, parts.before, visual.embeds, visual.ids, parts.after);
        return prefill(runtime.graphs, seq, layout, {
          afterDecoderLayers: [0, 3],
          afterDecoderLayer: ({ layer, seq: s }) => {
            if (layer === 0) s.gather(Array.from({ length: s.length }, (_, i) => i).filter((i) => i % 2 === 0 || s.visual[i] === 0));
            if (layer === 3 && editLast) s.gather(Array.from({ length: s.length - 1 }, (_, i) => i));
          },
        });
      };
      for (const editLast of [false, true]) {
        const a = await run(fused, editLast);
        const b = await run(split, editLast);
        expect(Array.from(a.lastLogits)).toEqual(Array.from(b.lastLogits));
        const head = await lmHeadLogits(fused.graphs, a.seq.row(a.seq.length - 1).slice());
        expect(Array.from(a.lastLogits)).toEqual(Array.from(head));
      }
    } finally {
      await fused.dispose();
      await split.dispose();
    }
  });

  it('next-layer rows requested as a probe equal nextLayerScores, fused or per layer, and end a segment', async () => {
    const deep = tinyModel({ kvHeads: 2, seed: 35, textLayers: 4 });
    for (const mode of ['fused', 'per-layer'] as const) {
      const runtime = new VlmRuntime(deep, { intraOpThreads: 1, prefill: mode });
      try {
        const visual = await encodeVisual(runtime.graphs, [pixels]);
        const parts = deep.prompt('which shape is red');
        const { seq, layout } = spliceSequence(runtime.embeddings(), deep.config.text, parts.before, visual.embeds, visual.ids, parts.after);
        const after: number[] = [];
        const checked: number[] = [];
        await prefill(runtime.graphs, seq, layout, {
          decoderProbes: (l, s) => (l === 1 ? { nextLayerRows: [s.length - 2, s.length - 1] } : undefined),
          afterDecoderLayers: [],
          afterDecoderLayer: async ({ layer, seq: s, probes, nextLayerScores }) => {
            after.push(layer);
            if (layer !== 1) return;
            expect(probes.nextLayer!.rows).toEqual([s.length - 2, s.length - 1]);
            expect(Array.from(probes.nextLayer!.values)).toEqual(Array.from(await nextLayerScores(probes.nextLayer!.rows)));
            checked.push(layer);
            s.gather(Array.from({ length: s.length }, (_, i) => i).filter((i) => i % 2 === 0 || s.visual[i] === 0));
          },
        });
        expect(checked).toEqual([1]);
        expect(after).toEqual([1]);
      } finally {
        await runtime.dispose();
      }
    }
  });

  it('combineHooks fuses only when every hook with afterDecoderLayer declares its layers', () => {
    const a: RuntimeHooks = { afterDecoderLayers: [3, 1], afterDecoderLayer: () => undefined };
    const b: RuntimeHooks = { afterDecoderLayers: [1, 5], afterDecoderLayer: () => undefined };
    expect(combineHooks([a, b]).afterDecoderLayers).toEqual([1, 3, 5]);
    expect(combineHooks([a, { beforeDecode: () => undefined }]).afterDecoderLayers).toEqual([1, 3]);
    expect(combineHooks([a, { afterDecoderLayer: () => undefined }]).afterDecoderLayers).toBeUndefined();
  });

  it('combineHooks asks the projector for a probe when any hook does', () => {
    expect(combineHooks([{}, { projectorProbes: () => undefined }]).projectorProbes!()).toBeUndefined();
    expect(combineHooks([{ projectorProbes: () => ({ cosine: false }) }, { projectorProbes: () => ({ cosine: true }) }]).projectorProbes!()).toEqual({ cosine: true });
  });

  it('KV compaction with per-layer positions before decoding matches a reference decode step', async () => {
    const { seq, layout, n } = await start();
    const vStart = layout.prefixLength;
    const keep = Array.from({ length: n }, (_, i) => i).filter((i) => i < vStart || i >= vStart + 16 || i - vStart < 4);
    const pf = await prefill(rt.graphs, seq, layout, {
      afterDecoderLayer: ({ layer, seq: s }) => {
        if (layer === 1) {
          s.gather(keep);
          s.compactPositions();
        }
      },
    });
    // MustDrop-style: layers 0–1 drop what layer 1 dropped; every layer decodes at its cache length (P3).
    const hooks = combineHooks([{ beforeDecode: ({ cache }) => [0, 1].forEach((l) => cache.gather(l, keep)) }, { beforeDecode: ({ cache }) => cache.layers.forEach((c) => (c.nextPosition = c.length)) }]);
    await hooks.beforeDecode!({ cache: pf.cache, seq: pf.seq, layout });
    expect(pf.cache.layers.map((c) => c.length)).toEqual([keep.length, keep.length, keep.length]);
    const caches: RefCache[] = pf.cache.layers.map((c) => toRefCache(c.key, c.value, c.length, tcfg.numKvHeads, tcfg.headDim));
    const positions = pf.cache.layers.map((c) => c.nextPosition);
    const first = await decodeGreedy(rt.graphs, rt.embeddings(), pf.cache, pf.lastLogits, { maxNewTokens: 2, stopIds: [] });
    let x = embedRef([first.ids[0]!], model.weights, tcfg);
    for (let l = 0; l < tcfg.numLayers; l++) x = decoderLayerRef(x, [positions[l]!], model.weights, tcfg, l, caches[l]).out;
    const logits = lmHeadRef(x, 1, model.weights, tcfg);
    let best = 0;
    for (let i = 1; i < logits.length; i++) if (logits[i]! > logits[best]!) best = i;
    expect(first.ids[1]).toBe(best);
    expect(pf.cache.layer(0).length).toBe(keep.length + 1);
    expect(pf.cache.layer(0).positions.at(-1)).toBe(keep.length);
  });
});

/** Engine cache [Hkv, S, hd] → reference layout [S, Hkv·hd]. */
function toRefCache(key: Float32Array, value: Float32Array, S: number, Hkv: number, hd: number): RefCache {
  const k = new Float64Array(S * Hkv * hd);
  const v = new Float64Array(S * Hkv * hd);
  for (let h = 0; h < Hkv; h++)
    for (let s = 0; s < S; s++)
      for (let i = 0; i < hd; i++) {
        k[s * Hkv * hd + h * hd + i] = key[(h * S + s) * hd + i]!;
        v[s * Hkv * hd + h * hd + i] = value[(h * S + s) * hd + i]!;
      }
  return { k, v, length: S };
}

describe('visual positions', () => {
  // Keeps visual tokens 3, 9 and 14 of 16 before the LLM; records the positions entering layer 0.
  async function run(visualPositions?: 'original' | 'compact'): Promise<{ positions: number[]; prefix: number; suffix: number }> {
    let positions: number[] = [];
    const hooks: RuntimeHooks = {
      ...(visualPositions ? { visualPositions } : {}),
      afterProjector: ({ seq }) => seq.gather([3, 9, 14]),
      decoderProbes: (l, seq) => void (l === 0 && (positions = [...seq.positions])),
    };
    const r = await rt.answer({ images: [await sharpPng()], question: 'count', hooks, maxNewTokens: 2 });
    return { positions, prefix: r.layout.prefixLength, suffix: r.layout.suffixLength };
  }

  it("'original' keeps each kept visual token's unpruned position and the text after the whole visual block", async () => {
    const { positions, prefix: p, suffix } = await run('original');
    const text = Array.from({ length: suffix }, (_, i) => p + 16 + i);
    expect(positions).toEqual([...Array.from({ length: p }, (_, i) => i), p + 3, p + 9, p + 14, ...text]);
  });

  it("'compact' (the default) numbers the pruned sequence 0..n−1", async () => {
    for (const mode of [undefined, 'compact'] as const) {
      const { positions } = await run(mode);
      expect(positions).toEqual(positions.map((_, i) => i));
    }
  });

  it('originalPositions is 0..n−1 when nothing was pruned', () => {
    expect(originalPositions({ prefixLength: 2, visualIds: Int32Array.from([0, 1, 2, 3]), suffixLength: 3 }, 4)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(originalPositions({ prefixLength: 1, visualIds: Int32Array.from([2, 5]), suffixLength: 1 }, 6)).toEqual([0, 3, 6, 7]);
  });

  it('combineHooks keeps original positions when any hook asks for them', () => {
    expect(combineHooks([{}, { visualPositions: 'original' }]).visualPositions).toBe('original');
    expect(combineHooks([{}, {}]).visualPositions).toBeUndefined();
  });
});

describe('the FastV example in hooks.ts', () => {
  it('keeps the half of the visual tokens the last query attends to most, from layer K on', async () => {
    const K = 2;
    let scores: Float32Array | null = null;
    const fastv: RuntimeHooks = {
      decoderProbes: (l, seq) => (l === K - 1 ? { attentionRows: [seq.length - 1] } : undefined),
      afterDecoderLayer: ({ layer, seq, probes }) => {
        if (layer !== K - 1) return;
        const { start, count } = seq.visualSpan();
        const row = probes.attentionRows!.values;
        scores = row.slice();
        const ranked = Array.from({ length: count }, (_, j) => start + j).sort((a, b) => row[b]! - row[a]!);
        const kept = new Set(ranked.slice(0, Math.floor(count / 2)));
        seq.gather([...Array(seq.length).keys()].filter((i) => i < start || i >= start + count || kept.has(i)));
      },
    };
    const r = await rt.answer({ images: [await sharpPng()], question: 'count', hooks: fastv, maxNewTokens: 3 });
    const n = r.tokenCounts.decoder[0]!;
    expect(r.tokenCounts.decoder).toEqual([n, n, n - 8]);
    expect(r.tokenCounts.decoderVisual).toEqual([16, 16, 8]);
    expect(scores!.length).toBe(n);
  });
});

async function sharpPng(): Promise<Buffer> {
  const { default: sharp } = await import('sharp');
  return sharp({ create: { width: 40, height: 32, channels: 3, background: { r: 10, g: 200, b: 90 } } }).png().toBuffer();
}
