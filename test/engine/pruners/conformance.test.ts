/**
 * Registry-driven conformance: every registered method runs the same contract on a tiny random
 * LLaVA through the real runtime (onnxruntime, CPU). Adding a method to the registry enrols it.
 *   - retention 1 is the unpruned model: same answer, same first-token logits, nothing dropped;
 *   - the requested retention is achieved (in the method's meaning) or the method says why not;
 *   - runs are deterministic under a seed;
 *   - the trace agrees with the tokens the runtime actually fed to every decoder layer;
 *   - text tokens are never removed; position ids follow the declared convention.
 */
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { combineHooks, type RuntimeHooks } from '../../../src/engine/models/runtime/hooks';
import { VlmRuntime, type AnswerResult } from '../../../src/engine/models/runtime/vlm';
import { bindPruner, runGeometry } from '../../../src/engine/pruners/bind';
import { achievedRetention, type AnyPruner } from '../../../src/engine/pruners/define';
import { listPruners } from '../../../src/engine/pruners/registry';
import { PruningReport } from '../../../src/shared/trace';
import { seededRandom, tinyModel } from '../../helpers/tiny-model';

const model = tinyModel({ seed: 5, visionLayers: 4, textLayers: 8 });
const rt = new VlmRuntime(model, { intraOpThreads: 1 });
// Every layer its own session: the fused prefill (rt's default here) must match it exactly.
const perLayer = new VlmRuntime(model, { intraOpThreads: 1, prefill: 'per-layer' });
afterAll(async () => {
  await rt.dispose();
  await perLayer.dispose();
});
const question = 'which shape is red?';

async function randomPng(seed: number): Promise<Buffer> {
  const rand = seededRandom(seed);
  const px = Buffer.from(Array.from({ length: 32 * 32 * 3 }, () => Math.floor(rand() * 256)));
  return sharp(px, { raw: { width: 32, height: 32, channels: 3 } }).png().toBuffer();
}

/** Records the position ids after every decoder layer's edits, and the decode positions. */
function positionSpy(): { hooks: RuntimeHooks; prefill: number[][]; visual: { start: number; count: number }[]; decode: { next: number; length: number }[] } {
  const spy = { prefill: [] as number[][], visual: [] as { start: number; count: number }[], decode: [] as { next: number; length: number }[] };
  return {
    ...spy,
    hooks: {
      afterDecoderLayer: ({ seq }) => {
        spy.prefill.push([...seq.positions]);
        spy.visual.push(seq.visualSpan());
      },
      beforeDecode: ({ cache }) => void spy.decode.push(...cache.layers.map((c) => ({ next: c.nextPosition, length: c.length }))),
    },
  };
}

async function run(p: AnyPruner, retention: number, images: Uint8Array[], seed = 7) {
  const bound = bindPruner(p, { retention, seed }, runGeometry(model.config, images.length));
  const spy = positionSpy();
  const result = await rt.answer({ images, question, maxNewTokens: 3, hooks: combineHooks([bound.hooks, spy.hooks]) });
  const report = PruningReport.parse(bound.report(result.layout));
  return { bound, result, report, trace: report.trace, spy };
}

let baseline: Promise<AnswerResult> | null = null;
const image = randomPng(3);

describe.each(listPruners().map((p) => ({ id: p.id, p })))('$id', ({ p }) => {
  it('retention 1 is the unpruned model', async () => {
    const png = await image;
    baseline ??= rt.answer({ images: [png], question, maxNewTokens: 3 });
    const base = await baseline;
    const { result, trace } = await run(p, 1, [png]);
    expect(result.ids).toEqual(base.ids);
    expect(Array.from(result.firstToken.logits)).toEqual(Array.from(base.firstToken.logits));
    expect(trace.steps.every((s) => s.dropped.length === 0 && s.created.length === 0)).toBe(true);
  });

  it.each([0.5, 0.25])('retention %s: achieved as planned (or explained), trace matches the runtime, positions as declared', async (retention) => {
    const png = await image;
    const { bound, result, trace, report, spy } = await run(p, retention, [png]);
    // The trace agrees with what every decoder layer actually received; text is never removed.
    expect(trace.layers.map((l) => l.visual)).toEqual(result.tokenCounts.decoderVisual);
    expect(trace.layers.map((l) => l.total)).toEqual(result.tokenCounts.decoder);
    const text = result.layout.prefixLength + result.layout.suffixLength;
    for (const l of trace.layers) expect(l.total - l.visual).toBe(text);
    // Requested retention achieved in the method's meaning, or the method explains the difference.
    const achieved = achievedRetention(trace, p.retention);
    expect(report.achievedRetention).toBe(achieved);
    expect(report.equivalentTokens).toBe(trace.layers.reduce((s, l) => s + l.visual, 0) / trace.layers.length);
    const planned = bound.resolved.plannedRetention;
    if (planned !== undefined && bound.resolved.note === undefined) {
      if (p.retention === 'kept') expect(Math.round(achieved * 16)).toBe(Math.round(planned * 16));
      else expect(Math.abs(achieved - planned)).toBeLessThan(1e-9);
    } else {
      expect(typeof bound.resolved.note === 'string' || planned === undefined).toBe(true);
    }
    // Without a note, the plan is the request (one token of 16 for one-shot counts, 1% for averages).
    if (bound.resolved.note === undefined && planned !== undefined) expect(Math.abs(planned - retention)).toBeLessThanOrEqual(p.retention === 'kept' ? 1 / 16 : 0.01);
    // Positions follow the declared convention in prefill and decoding.
    spy.prefill.forEach((positions) => {
      if (p.positions === 'original') positions.forEach((v, i) => i > 0 && expect(v).toBeGreaterThan(positions[i - 1]!));
      else expect(positions).toEqual(positions.map((_, i) => i));
    });
    if (p.positions === 'per-layer') for (const d of spy.decode) expect(d.next).toBe(d.length);
  });

  it('fused prefill (its own hooks only, so layers between its pruning points fuse) equals one session per layer', async () => {
    const png = await image;
    const answer = async (runtime: VlmRuntime) => {
      const bound = bindPruner(p, { retention: 0.25, seed: 7 }, runGeometry(model.config, 1));
      const result = await runtime.answer({ images: [png], question, maxNewTokens: 3, hooks: bound.hooks });
      return { result, trace: bound.trace(result.layout) };
    };
    const fused = await answer(rt);
    const split = await answer(perLayer);
    expect(fused.result.ids).toEqual(split.result.ids);
    expect(Array.from(fused.result.firstToken.logits)).toEqual(Array.from(split.result.firstToken.logits));
    expect(fused.trace).toEqual(split.trace);
    expect(fused.result.tokenCounts.decoder).toEqual(split.result.tokenCounts.decoder);
  });

  it('is deterministic under a seed', async () => {
    const png = await image;
    const a = await run(p, 0.25, [png], 11);
    const b = await run(p, 0.25, [png], 11);
    expect(b.trace).toEqual(a.trace);
    expect(b.result.ids).toEqual(a.result.ids);
  });

  it.runIf(p.modalities.includes('video'))('runs on a two-frame video with a consistent trace', async () => {
    const frames = [await randomPng(4), await randomPng(5)];
    const { result, trace } = await run(p, 0.5, frames);
    expect(trace.grid).toEqual({ frames: 2, rows: 2, cols: 2 });
    expect(trace.layers.map((l) => l.visual)).toEqual(result.tokenCounts.decoderVisual);
  });

  it.runIf(!p.modalities.includes('video'))('refuses video input with a clear error', () => {
    expect(() => bindPruner(p, { retention: 0.5 }, runGeometry(model.config, 2))).toThrow(/does not support video/);
  });
});
