/**
 * Video scenes of the Shapes benchmark: a static textured background and 2-4 tracks, each a
 * shape that appears at some frame, moves in a straight line and may disappear. Objects never
 * overlap in any frame and stay fully inside it.
 */
import { COLORS, IMAGE_SIZE, SHAPES, SIZES, type ColorName, type ShapeName } from './palette';
import type { Prng } from './prng';
import type { Box, Canvas } from './raster';
import { boxesClash, jitterColor, renderObjects, type SceneObject } from './scene';
import { sampleBackground, type BackgroundSpec } from './background';

/** One object's life in a video. */
export interface Track {
  /** Mask id in every frame (1-based). */
  id: number;
  shape: ShapeName;
  color: ColorName;
  rgb: [number, number, number];
  size: number;
  /** First frame where it is visible. */
  start: number;
  /** One past the last frame where it is visible. */
  end: number;
  /** Centre at frame `start`. */
  x0: number;
  y0: number;
  /** Displacement per frame in pixels. */
  vx: number;
  vy: number;
}

/** A video scene: background, frame count and tracks. */
export interface VideoScene {
  kind: 'video';
  size: number;
  frames: number;
  background: BackgroundSpec;
  tracks: Track[];
}

/** Whether the track is visible in frame `f`. */
export function visibleAt(t: Track, f: number): boolean {
  return f >= t.start && f < t.end;
}

/** The track's centre at frame `f` (extrapolated outside its life). */
export function positionAt(t: Track, f: number): { cx: number; cy: number } {
  return { cx: t.x0 + t.vx * (f - t.start), cy: t.y0 + t.vy * (f - t.start) };
}

/** The objects visible in frame `f`, positioned for that frame. */
export function objectsAt(scene: VideoScene, f: number): SceneObject[] {
  return scene.tracks
    .filter((t) => visibleAt(t, f))
    .map((t) => ({ id: t.id, shape: t.shape, color: t.color, rgb: t.rgb, size: t.size, ...positionAt(t, f) }));
}

function sampleTrack(rng: Prng, id: number, frames: number, size: number): Track {
  const shape = rng.pick(SHAPES);
  const color = rng.pick(COLORS);
  const s = rng.pick(SIZES);
  const life = rng.intIn(Math.min(2, frames), frames);
  const start = rng.chance(0.35) ? 0 : rng.intIn(0, frames - life);
  const moving = rng.chance(0.75);
  const speed = moving ? rng.range(3, 8) : 0;
  const horizontal = rng.chance(0.7);
  const dir = rng.chance(0.5) ? 1 : -1;
  const vx = horizontal ? dir * speed : rng.range(-1.5, 1.5);
  const vy = horizontal ? rng.range(-1.5, 1.5) : dir * speed;
  const half = s / 2 + 1;
  const span = life - 1;
  const xLo = half - Math.min(0, vx * span);
  const xHi = size - half - Math.max(0, vx * span);
  const yLo = half - Math.min(0, vy * span);
  const yHi = size - half - Math.max(0, vy * span);
  return { id, shape, color, rgb: jitterColor(rng, color), size: s, start, end: start + life, x0: rng.range(xLo, Math.max(xLo, xHi)), y0: rng.range(yLo, Math.max(yLo, yHi)), vx, vy };
}

function clashes(a: Track, b: Track, frames: number): boolean {
  for (let f = 0; f < frames; f++) {
    if (!visibleAt(a, f) || !visibleAt(b, f)) continue;
    const pa = positionAt(a, f);
    const pb = positionAt(b, f);
    if (boxesClash(pa.cx, pa.cy, a.size, pb.cx, pb.cy, b.size)) return true;
  }
  return false;
}

/**
 * Samples a video scene with up to `count` tracks (at least one) over `frames` frames; a track
 * that cannot be placed without overlapping another in some frame is left out.
 */
export function sampleVideoScene(rng: Prng, count: number, frames: number, size = IMAGE_SIZE): VideoScene {
  const background = sampleBackground(rng);
  const tracks: Track[] = [];
  for (let k = 0; k < count; k++) {
    for (let attempt = 0; attempt < 60; attempt++) {
      const t = sampleTrack(rng, tracks.length + 1, frames, size);
      if (tracks.every((o) => !clashes(t, o, frames))) {
        tracks.push(t);
        break;
      }
    }
  }
  if (tracks.length === 0) tracks.push(sampleTrack(rng, 1, frames, size));
  return { kind: 'video', size, frames, background, tracks };
}

/** Renders every frame; per frame the canvas and the exact boxes of the visible tracks (by id). */
export function renderVideo(scene: VideoScene): Array<{ canvas: Canvas; boxes: Map<number, Box> }> {
  const out: Array<{ canvas: Canvas; boxes: Map<number, Box> }> = [];
  for (let f = 0; f < scene.frames; f++) out.push(renderObjects(scene.size, scene.background, objectsAt(scene, f)));
  return out;
}
