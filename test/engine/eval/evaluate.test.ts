/**
 * evaluate() on a tiny generated Shapes benchmark with a tiny random model: the accuracy is
 * whatever it is; what must hold is consistency (per-type n sums to n, accuracy = correct / n,
 * per-sample correctness = normalised exact match, videos fed as their frames).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { locateFfmpeg } from '../../../src/engine/api/ffmpeg';
import { generateBenchmark } from '../../../src/engine/bench/benchWriter';
import { loadBenchmark } from '../../../src/engine/bench/loader';
import { evaluate, pickSamples, summarizeOutcomes, type SampleOutcome } from '../../../src/engine/eval/evaluate';
import { isCorrect } from '../../../src/engine/metrics/accuracy';
import { loadModel } from '../../../src/engine/models/checkpoint/load';
import { writeTinyCheckpoint } from '../../../src/engine/models/checkpoint/write';
import { VlmRuntime } from '../../../src/engine/models/runtime/vlm';
import { ApiError } from '../../../src/shared/errors';

const root = mkdtempSync(join(tmpdir(), 'tokenlab-eval-'));
const videos = locateFfmpeg() ? 2 : 0;
let rt: VlmRuntime;

beforeAll(async () => {
  await generateBenchmark({ out: join(root, 'bench'), seed: 11, images: 8, videos, frames: 3 });
  writeTinyCheckpoint(join(root, 'model'), { video: { spatialPoolStride: 2, spatialPoolMode: 'average', numFrames: 3 } });
  rt = new VlmRuntime(await loadModel(join(root, 'model')), { providers: ['cpu'], intraOpThreads: 1 });
});
afterAll(async () => {
  await rt?.dispose();
  rmSync(root, { recursive: true, force: true });
});

describe('pickSamples', () => {
  it('spreads a limit evenly without a key', () => {
    const xs = Array.from({ length: 10 }, (_, i) => i);
    expect(pickSamples(xs, 4)).toEqual([0, 2, 5, 7]);
    expect(pickSamples(xs, 1)).toEqual([0]);
    expect(pickSamples(xs, 10)).toEqual(xs);
    expect(pickSamples(xs)).toEqual(xs);
    expect(() => pickSamples(xs, 0)).toThrow(/≥ 1/);
  });
  it('stratifies by key in proportion, so a stride cannot alias with a cycle of types', () => {
    // 30 samples cycling through 5 types, then 10 of a sixth: a plain stride of 5 would see one type.
    const xs = [...Array.from({ length: 30 }, (_, i) => ({ i, t: `t${i % 5}` })), ...Array.from({ length: 10 }, (_, i) => ({ i: 30 + i, t: 'video' }))];
    const picked = pickSamples(xs, 8, (x) => x.t);
    expect(picked).toHaveLength(8);
    const counts = new Map<string, number>();
    for (const p of picked) counts.set(p.t, (counts.get(p.t) ?? 0) + 1);
    expect(counts.get('video')).toBe(2);
    expect([...counts.keys()].length).toBe(6);
    expect(picked.map((p) => p.i)).toEqual([...picked.map((p) => p.i)].sort((a, b) => a - b));
    expect(new Set(picked.map((p) => p.i)).size).toBe(8);
  });
});

describe('summarizeOutcomes', () => {
  const o = (type: string, correct: boolean, kind: 'image' | 'video' = 'image', total = 10): SampleOutcome => ({ id: `${type}-${Math.random()}`, type, kind, question: 'q', expected: 'x', answer: correct ? 'x' : 'y', correct, ms: { vision: total / 2, total } });
  it('accuracy per type next to the majority rate of the whole benchmark, per kind, mean latency', () => {
    const outcomes = [o('color', true), o('color', false), o('count', true, 'video', 30)];
    const all = [
      { type: 'color', answer: 'red' }, { type: 'color', answer: 'Red.' }, { type: 'color', answer: 'blue' }, { type: 'color', answer: 'green' },
      { type: 'count', answer: 'two' }, { type: 'count', answer: '2' }, { type: 'count', answer: '3' },
    ];
    const s = summarizeOutcomes(outcomes, all);
    expect(s).toMatchObject({ n: 3, correct: 2 });
    expect(s.accuracy).toBeCloseTo(2 / 3, 12);
    expect(s.byType.color).toMatchObject({ n: 2, correct: 1, accuracy: 0.5, majority: 0.5, majorityAnswer: 'red' });
    expect(s.byType.count!.majority).toBeCloseTo(2 / 3, 12);
    expect(s.byKind).toEqual({ image: { n: 2, correct: 1, accuracy: 0.5 }, video: { n: 1, correct: 1, accuracy: 1 } });
    expect(s.meanLatencyMs).toEqual({ vision: 25 / 3, total: 50 / 3 });
  });
});

describe('evaluate', () => {
  it('answers every sample (videos as frames) with consistent totals', async () => {
    const bench = loadBenchmark(join(root, 'bench'));
    const seen: number[] = [];
    const report = await evaluate(rt, bench, { maxNewTokens: 3, onSample: (done) => seen.push(done) });
    expect(report.n).toBe(8 + videos);
    expect(report.benchmarkSize).toBe(8 + videos);
    expect(seen).toEqual(Array.from({ length: report.n }, (_, i) => i + 1));
    expect(report.accuracy).toBeGreaterThanOrEqual(0);
    expect(report.accuracy).toBeLessThanOrEqual(1);
    expect(report.accuracy).toBeCloseTo(report.correct / report.n, 12);
    expect(Object.values(report.byType).reduce((a, c) => a + c.n, 0)).toBe(report.n);
    expect(Object.values(report.byType).reduce((a, c) => a + c.correct, 0)).toBe(report.correct);
    for (const c of Object.values(report.byType)) {
      expect(c.majority).toBeGreaterThan(0);
      expect(c.majority).toBeLessThanOrEqual(1);
    }
    for (const s of report.samples) expect(s.correct).toBe(isCorrect(s.answer, s.expected));
    expect(report.byKind.image?.n).toBe(8);
    if (videos) expect(report.byKind.video?.n).toBe(videos);
    expect(report.meanLatencyMs.total).toBeGreaterThan(0);
  });

  it('honours the limit and stops between samples when cancelled', async () => {
    const bench = loadBenchmark(join(root, 'bench'));
    const limited = await evaluate(rt, bench, { limit: 3, maxNewTokens: 2 });
    expect(limited.n).toBe(3);
    const controller = new AbortController();
    const err = await evaluate(rt, bench, { maxNewTokens: 2, signal: controller.signal, onSample: (done) => done === 2 && controller.abort() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe('cancelled');
  });
});
