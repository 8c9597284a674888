/**
 * Writes a Shapes benchmark folder:
 *   images/img-00000.png                 one PNG per image sample
 *   videos/vid-00000.mp4 + vid-00000/000.png …   an MP4 and its lossless frames per video sample
 *   samples.jsonl                         one BenchSample per line (types.ts)
 *   meta.json                             written last: a folder without it is incomplete
 */
import { mkdirSync, openSync, closeSync, writeSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { DEFAULT_FRAMES, imageItem, videoItem } from './items';
import { renderObjects } from './scene';
import { renderVideo } from './video';
import { framesOf } from './videoQuestions';
import { encodeMp4, requireFfmpeg } from './encodeVideo';
import type { Box } from './raster';
import type { BenchMeta, BenchSample, BoxedObject } from './types';

/** Frame rate written into the MP4s. */
export const VIDEO_FPS = 4;
/** Generator id stored in meta.json; bump when the output for a seed changes. */
export const GENERATOR_VERSION = 'shapes-v1';

/** What generateBenchmark writes. */
export interface BenchmarkOptions {
  out: string;
  seed: number;
  images: number;
  videos: number;
  frames?: number;
  name?: string;
  split?: string;
  /** Called after every sample with (done, total). */
  onProgress?: (done: number, total: number) => void;
}

const toBox = (b: Box): [number, number, number, number] => [b.x0, b.y0, b.x1, b.y1];

function boxed(ids: readonly number[], boxes: Map<number, Box>, objs: ReadonlyArray<{ id: number; shape: string; color: string }>): BoxedObject[] {
  const out: BoxedObject[] = [];
  for (const id of ids) {
    const b = boxes.get(id);
    const o = objs.find((x) => x.id === id);
    if (b && o) out.push({ id, box: toBox(b), shape: o.shape, color: o.color });
  }
  return out;
}

async function writePng(rgb: Uint8Array, size: number, path: string): Promise<void> {
  await sharp(rgb, { raw: { width: size, height: size, channels: 3 } }).png({ compressionLevel: 6 }).toFile(path);
}

/**
 * Generates `images` image samples and `videos` video samples from `seed` into `out` (created
 * if needed). The same options always give byte-identical samples.jsonl and PNGs. Throws
 * FfmpegMissingError before writing anything when videos are asked for and ffmpeg is missing.
 */
export async function generateBenchmark(opts: BenchmarkOptions): Promise<BenchMeta> {
  const frames = opts.frames ?? DEFAULT_FRAMES;
  const ffmpeg = opts.videos > 0 ? requireFfmpeg() : '';
  mkdirSync(join(opts.out, 'images'), { recursive: true });
  if (opts.videos > 0) mkdirSync(join(opts.out, 'videos'), { recursive: true });
  const fd = openSync(join(opts.out, 'samples.jsonl'), 'w');
  const total = opts.images + opts.videos;
  let done = 0;
  try {
    for (let i = 0; i < opts.images; i++) {
      const { scene, question } = imageItem(opts.seed, i);
      const { canvas, boxes } = renderObjects(scene.size, scene.background, scene.objects);
      const id = `img-${String(i).padStart(5, '0')}`;
      const path = `images/${id}.png`;
      await writePng(canvas.rgb, scene.size, join(opts.out, path));
      const sample: BenchSample = {
        id, media: { kind: 'image', path, width: scene.size, height: scene.size },
        question: question.question, answer: question.answer, type: question.type,
        boxes: boxed(question.about, boxes, scene.objects),
      };
      writeSync(fd, `${JSON.stringify(sample)}\n`);
      opts.onProgress?.(++done, total);
    }
    for (let i = 0; i < opts.videos; i++) {
      const { scene, question } = videoItem(opts.seed, i, frames);
      const rendered = renderVideo(scene);
      const id = `vid-${String(i).padStart(5, '0')}`;
      mkdirSync(join(opts.out, 'videos', id), { recursive: true });
      const framePaths = rendered.map((_, f) => `videos/${id}/${String(f).padStart(3, '0')}.png`);
      await Promise.all(rendered.map((r, f) => writePng(r.canvas.rgb, scene.size, join(opts.out, framePaths[f]!))));
      const path = `videos/${id}.mp4`;
      await encodeMp4(ffmpeg, rendered.map((r) => r.canvas.rgb), scene.size, scene.size, VIDEO_FPS, join(opts.out, path));
      const sample: BenchSample = {
        id, media: { kind: 'video', path, frames: framePaths, fps: VIDEO_FPS, width: scene.size, height: scene.size },
        question: question.question, answer: question.answer, type: question.type,
        boxes: rendered.map((r) => boxed(question.about, r.boxes, scene.tracks)),
        answerFrames: question.frames ?? framesOf(scene, question.about),
      };
      writeSync(fd, `${JSON.stringify(sample)}\n`);
      opts.onProgress?.(++done, total);
    }
  } finally {
    closeSync(fd);
  }
  const meta: BenchMeta = { format: 'tokenlab-bench/1', name: opts.name ?? 'shapes', generator: GENERATOR_VERSION, seed: opts.seed, images: opts.images, videos: opts.videos };
  if (opts.split) meta.split = opts.split;
  writeFileSync(join(opts.out, 'meta.json'), `${JSON.stringify(meta, null, 2)}\n`);
  return meta;
}
