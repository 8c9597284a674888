/**
 * The oracle on hand-built cases: a tiny model (32-px input, 8-px patches: a 4×4 grid; videos
 * pooled 2×2 to a 2×2 grid per frame) and 64×64 media, so a stored pixel is half a model pixel.
 * The cells the boxes cover are computed by hand; the run must keep exactly those tokens.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadedBenchmark } from '../../../src/engine/bench/loader';
import type { BenchSample } from '../../../src/engine/bench/types';
import { compareOnSample } from '../../../src/engine/eval/compare';
import { oracle, oracleMethod, oracleTokens } from '../../../src/engine/eval/oracle';
import { loadModel } from '../../../src/engine/models/checkpoint/load';
import { writeTinyCheckpoint } from '../../../src/engine/models/checkpoint/write';
import { VlmRuntime } from '../../../src/engine/models/runtime/vlm';
import { listPruners } from '../../../src/engine/pruners/registry';
import { methodPass } from '../../../src/engine/runs/method-pass';

const root = mkdtempSync(join(tmpdir(), 'tokenlab-oracle-'));
const bench: LoadedBenchmark = { dir: join(root, 'bench'), samples: [] };
let rt: VlmRuntime;

const box = (id: number, b: [number, number, number, number]): BenchSample['boxes'][number] => ({ id, box: b });
const image = (boxes: [number, number, number, number][]): BenchSample => ({
  id: 'img', media: { kind: 'image', path: 'a.png', width: 64, height: 64 }, question: 'what color is the circle?', answer: 'red', type: 'color',
  boxes: boxes.map((b, i) => box(i, b)) as BenchSample['boxes'],
});
const video: BenchSample = {
  id: 'vid', media: { kind: 'video', path: 'v.mp4', frames: ['v/0.png', 'v/1.png', 'v/2.png'], fps: 4, width: 64, height: 64 },
  question: 'does the red circle move left or right?', answer: 'right', type: 'direction',
  // Frame 0: the top-left quarter (pooled cell 0); frame 1: nothing; frame 2: the bottom-right quarter (cell 3 of frame 2 = 8 + 3).
  boxes: [[box(1, [0, 0, 32, 32])], [], [box(1, [32, 32, 64, 64])]] as BenchSample['boxes'],
};

beforeAll(async () => {
  mkdirSync(join(bench.dir, 'v'), { recursive: true });
  const png = (file: string): Promise<unknown> => sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 200, g: 40, b: 40 } } }).png().toFile(join(bench.dir, file));
  await Promise.all(['a.png', 'v/0.png', 'v/1.png', 'v/2.png'].map(png));
  writeTinyCheckpoint(join(root, 'model'), { video: { spatialPoolStride: 2, spatialPoolMode: 'average', numFrames: 3 } });
  rt = new VlmRuntime(await loadModel(join(root, 'model')), { providers: ['cpu'], intraOpThreads: 1 });
});
afterAll(async () => {
  await rt?.dispose();
  rmSync(root, { recursive: true, force: true });
});

describe('oracleTokens', () => {
  it('maps image boxes through resize and crop onto the grid', () => {
    const m = rt.model;
    // [0,0,16,16] → model pixels 0–8: cell (0,0). [32,48,64,64] → x 16–32, y 24–32: cells (3,2) and (3,3).
    expect(oracleTokens(image([[0, 0, 16, 16], [32, 48, 64, 64]]), m.config, m.preprocessor)).toEqual([0, 14, 15]);
    expect(oracleTokens(image([]), m.config, m.preprocessor)).toEqual([]);
  });
  it('maps each video frame\'s boxes onto its pooled grid, frame-major', () => {
    expect(oracleTokens(video, rt.model.config, rt.model.preprocessor)).toEqual([0, 11]);
  });
  it('is not a registered method (it needs labels)', () => {
    expect(listPruners().map((p) => p.id)).not.toContain(oracle.id);
  });
});

describe('an oracle run', () => {
  it('keeps exactly the box cells of an image, the unpruned pass untouched', async () => {
    const sample = image([[0, 0, 16, 16], [32, 48, 64, 64]]);
    const planned = oracleMethod(sample, rt.model.config, rt.model.preprocessor);
    expect(planned.retention).toBeCloseTo(3 / 16);
    const pass = await methodPass(rt, planned, { images: [join(bench.dir, 'a.png')], question: sample.question, maxNewTokens: 2 });
    const trace = pass.report!.trace;
    expect(trace.steps).toHaveLength(1);
    expect(trace.steps[0]!.order).toEqual([0, 14, 15]);
    expect(trace.layers.every((l) => l.visual === 3)).toBe(true);
    const { unpruned, outcomes } = await compareOnSample(rt, bench, sample, [planned], { maxNewTokens: 2 });
    expect(unpruned.visualTokens).toBe(16);
    expect(outcomes[0]!.relevantKept).toBe(1);
    expect(outcomes[0]!.achievedRetention).toBeCloseTo(3 / 16);
  });
  it('keeps exactly the per-frame box cells of a video', async () => {
    const planned = oracleMethod(video, rt.model.config, rt.model.preprocessor);
    const { outcomes } = await compareOnSample(rt, bench, video, [planned], { maxNewTokens: 2 });
    expect(outcomes[0]!.achievedRetention).toBeCloseTo(2 / 12);
    const pass = await methodPass(rt, planned, { images: video.media.kind === 'video' ? video.media.frames.map((f) => join(bench.dir, f)) : [], question: video.question, maxNewTokens: 2 });
    expect(pass.report!.trace.steps[0]!.order).toEqual([0, 11]);
  });
  it('keeps no visual token when no box is visible', async () => {
    const sample = image([]);
    const { outcomes } = await compareOnSample(rt, bench, sample, [oracleMethod(sample, rt.model.config, rt.model.preprocessor)], { maxNewTokens: 2 });
    expect(outcomes[0]!.achievedRetention).toBe(0);
    expect(outcomes[0]!.relevantKept).toBeUndefined();
  });
});
