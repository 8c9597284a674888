import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { generateBenchmark } from '../../../src/engine/bench/benchWriter';
import { imageItem } from '../../../src/engine/bench/items';
import { BenchmarkError, loadBenchmark, mediaPaths } from '../../../src/engine/bench/loader';
import { renderObjects } from '../../../src/engine/bench/scene';
import { SPLIT_DEFAULTS, resolveBenchmark } from '../../../src/engine/bench/splits';
import { exportTrainingData } from '../../../src/engine/bench/trainExport';
import { locateFfmpeg } from '../../../src/engine/api/ffmpeg';

const root = mkdtempSync(join(tmpdir(), 'tokenlab-bench-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const hasFfmpeg = !!locateFfmpeg();

describe('generateBenchmark + loadBenchmark', () => {
  it('writes a deterministic folder that loads back with exact pixels and boxes', async () => {
    const videos = hasFfmpeg ? 2 : 0;
    const a = join(root, 'a');
    const b = join(root, 'b');
    await generateBenchmark({ out: a, seed: 77, images: 6, videos });
    await generateBenchmark({ out: b, seed: 77, images: 6, videos });
    expect(readFileSync(join(b, 'samples.jsonl'), 'utf8')).toBe(readFileSync(join(a, 'samples.jsonl'), 'utf8'));
    const bench = loadBenchmark(a);
    expect(bench.samples).toHaveLength(6 + videos);
    expect(bench.meta?.images).toBe(6);
    const first = bench.samples[0]!;
    const { data } = await sharp(mediaPaths(bench, first).path).raw().toBuffer({ resolveWithObject: true });
    const item = imageItem(77, 0);
    const { canvas, boxes } = renderObjects(item.scene.size, item.scene.background, item.scene.objects);
    expect(Buffer.compare(data, Buffer.from(canvas.rgb))).toBe(0);
    expect(first.boxes).toEqual(item.question.about.map((id) => expect.objectContaining({ id, box: [boxes.get(id)!.x0, boxes.get(id)!.y0, boxes.get(id)!.x1, boxes.get(id)!.y1] })));
    if (hasFfmpeg) {
      const v = bench.samples[6]!;
      expect(v.media.kind).toBe('video');
      if (v.media.kind === 'video') expect(v.media.frames).toHaveLength(8);
      expect(v.boxes).toHaveLength(8);
      expect(v.answerFrames!.length).toBeGreaterThan(0);
      expect(existsSync(mediaPaths(bench, v).path)).toBe(true);
    }
  });

  it('reports what is wrong with a broken folder', async () => {
    expect(() => loadBenchmark(join(root, 'nope'))).toThrow(/not found.*bench generate/);
    const dir = join(root, 'broken');
    await generateBenchmark({ out: dir, seed: 1, images: 2, videos: 0 });
    const good = readFileSync(join(dir, 'samples.jsonl'), 'utf8');
    const [l1 = '', l2 = ''] = good.trim().split('\n');
    writeFileSync(join(dir, 'samples.jsonl'), `${l1}\n{oops\n`);
    expect(() => loadBenchmark(dir)).toThrow(BenchmarkError);
    expect(() => loadBenchmark(dir)).toThrow(/line 2 is not valid JSON/);
    writeFileSync(join(dir, 'samples.jsonl'), `${l1}\n${l1}\n`);
    expect(() => loadBenchmark(dir)).toThrow(/duplicate sample id/);
    writeFileSync(join(dir, 'samples.jsonl'), `${l1}\n${l2.replace(/"answer":"[^"]*",/, '')}\n`);
    expect(() => loadBenchmark(dir)).toThrow(/line 2 is not a valid sample: answer/);
    writeFileSync(join(dir, 'samples.jsonl'), `${l2.replace('img-00001.png', 'missing.png')}\n`);
    expect(() => loadBenchmark(dir)).toThrow(/media file 'images\/missing.png' is missing/);
    writeFileSync(join(dir, 'samples.jsonl'), `${l2.replace('images/img-00001.png', '../../etc/passwd')}\n`);
    expect(() => loadBenchmark(dir)).toThrow(/outside the benchmark folder/);
    rmSync(join(dir, 'samples.jsonl'));
    expect(() => loadBenchmark(dir)).toThrow(/samples.jsonl does not exist/);
  });
});

describe('resolveBenchmark', () => {
  it('passes folders through, rejects unknown built-ins, generates shapes:<split> once', async () => {
    expect(await resolveBenchmark('/some/dir')).toBe('/some/dir');
    await expect(resolveBenchmark('shapes:dev')).rejects.toThrow(/Unknown built-in benchmark 'shapes:dev'/);
    const saved = { ...SPLIT_DEFAULTS.val };
    const savedEnv = process.env.TOKENLAB_CACHE;
    process.env.TOKENLAB_CACHE = join(root, 'cache');
    SPLIT_DEFAULTS.val = { seed: saved.seed, images: 3, videos: 0 };
    try {
      const dir = await resolveBenchmark('shapes:val');
      expect(loadBenchmark(dir).samples).toHaveLength(3);
      const mtime = readFileSync(join(dir, 'meta.json'), 'utf8');
      expect(await resolveBenchmark('shapes:val')).toBe(dir);
      expect(readFileSync(join(dir, 'meta.json'), 'utf8')).toBe(mtime);
    } finally {
      SPLIT_DEFAULTS.val = saved;
      if (savedEnv === undefined) delete process.env.TOKENLAB_CACHE;
      else process.env.TOKENLAB_CACHE = savedEnv;
    }
  });
});

describe('exportTrainingData', () => {
  it('writes frames, per-patch labels and scenes that line up', () => {
    const out = join(root, 'train');
    const r = exportTrainingData({ out, seed: 5, images: 4, videos: 2, frames: 8 });
    expect(r).toEqual({ scenes: 6, frames: 4 + 16 });
    const frames = readFileSync(join(out, 'frames.u8'));
    const patches = readFileSync(join(out, 'patches.u8'));
    expect(frames.length).toBe(20 * 160 * 160 * 3);
    expect(patches.length).toBe(20 * 10 * 10 * 3);
    const scenes = readFileSync(join(out, 'scenes.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { kind: string; frame: number; frames: number });
    expect(scenes.map((s) => [s.kind, s.frame, s.frames])).toEqual([['image', 0, 1], ['image', 1, 1], ['image', 2, 1], ['image', 3, 1], ['video', 4, 8], ['video', 12, 8]]);
  });
});
