/**
 * Fast training-data export for the Python trainer (models/reference/train/). Writes into a
 * folder:
 *   frames.u8    every rendered frame, raw RGB, size×size×3 bytes each (images are 1 frame)
 *   patches.u8   per frame, grid×grid×3 bytes: colour+1, shape+1, coverage (see patchLabels)
 *   scenes.jsonl one line per scene: kind, first frame, frame count, objects, questions
 *   meta.json    geometry and vocabularies
 * Frames are appended in scene order, so scene k's frames are [frame, frame + frames).
 */
import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { COLORS, IMAGE_SIZE, PATCH, SHAPES } from './palette';
import { DEFAULT_FRAMES, trainImage, trainVideo } from './items';
import { patchLabels, renderObjects } from './scene';
import { objectsAt } from './video';

/** What to export. */
export interface TrainExportOptions {
  out: string;
  seed: number;
  images: number;
  videos: number;
  frames?: number;
  /** Called every 500 scenes with the number done. */
  onProgress?: (done: number, total: number) => void;
}

/** Writes the training export described in this file's header; returns frame and scene counts. */
export function exportTrainingData(opts: TrainExportOptions): { scenes: number; frames: number } {
  const frames = opts.frames ?? DEFAULT_FRAMES;
  mkdirSync(opts.out, { recursive: true });
  const fFrames = openSync(join(opts.out, 'frames.u8'), 'w');
  const fPatches = openSync(join(opts.out, 'patches.u8'), 'w');
  const fScenes = openSync(join(opts.out, 'scenes.jsonl'), 'w');
  const total = opts.images + opts.videos;
  let frameCount = 0;
  try {
    for (let k = 0; k < total; k++) {
      const isVideo = k >= opts.images;
      const first = frameCount;
      let record: Record<string, unknown>;
      if (!isVideo) {
        const { scene, questions } = trainImage(opts.seed, k);
        const { canvas } = renderObjects(scene.size, scene.background, scene.objects);
        writeSync(fFrames, canvas.rgb);
        writeSync(fPatches, patchLabels(canvas, scene.objects));
        frameCount += 1;
        const objects = scene.objects.map((o) => ({ id: o.id, shape: o.shape, color: o.color, cx: +o.cx.toFixed(1), cy: +o.cy.toFixed(1), size: o.size }));
        record = { kind: 'image', frame: first, frames: 1, objects, questions };
      } else {
        const { scene, questions } = trainVideo(opts.seed, k - opts.images, frames);
        for (let f = 0; f < frames; f++) {
          const objs = objectsAt(scene, f);
          const { canvas } = renderObjects(scene.size, scene.background, objs);
          writeSync(fFrames, canvas.rgb);
          writeSync(fPatches, patchLabels(canvas, objs));
        }
        frameCount += frames;
        const tracks = scene.tracks.map((t) => ({ id: t.id, shape: t.shape, color: t.color, start: t.start, end: t.end }));
        record = { kind: 'video', frame: first, frames, tracks, questions };
      }
      writeSync(fScenes, `${JSON.stringify(record)}\n`);
      if (opts.onProgress && (k + 1) % 500 === 0) opts.onProgress(k + 1, total);
    }
  } finally {
    closeSync(fFrames);
    closeSync(fPatches);
    closeSync(fScenes);
  }
  const meta = { format: 'tokenlab-shapes-train/1', size: IMAGE_SIZE, patch: PATCH, grid: IMAGE_SIZE / PATCH, colors: COLORS, shapes: SHAPES, seed: opts.seed, images: opts.images, videos: opts.videos, framesPerVideo: frames, totalFrames: frameCount };
  writeFileSync(join(opts.out, 'meta.json'), `${JSON.stringify(meta, null, 2)}\n`);
  return { scenes: total, frames: frameCount };
}
