/**
 * Image scenes of the Shapes benchmark: 1-6 non-overlapping shapes on a textured background,
 * rendered with exact object masks, plus the dense per-patch labels used to pretrain the ViT.
 */
import { COLORS, COLOR_RGB, IMAGE_SIZE, PATCH, SHAPES, SIZES, type ColorName, type ShapeName } from './palette';
import type { Prng } from './prng';
import { createCanvas, drawShape, type Box, type Canvas } from './raster';
import { paintBackground, sampleBackground, type BackgroundSpec } from './background';

/** One shape placed in a scene (or in one video frame). */
export interface SceneObject {
  /** Mask id: 1-based index in the scene's object list. */
  id: number;
  shape: ShapeName;
  color: ColorName;
  /** Drawn RGB (the nominal colour with a small jitter). */
  rgb: [number, number, number];
  size: number;
  cx: number;
  cy: number;
}

/** A still scene: background plus objects. */
export interface ImageScene {
  kind: 'image';
  size: number;
  background: BackgroundSpec;
  objects: SceneObject[];
}

/** Margin in pixels kept between the boxes of any two objects. */
export const OBJECT_GAP = 3;

/** Samples the drawn RGB of a colour: the nominal value with a small per-channel jitter. */
export function jitterColor(rng: Prng, color: ColorName): [number, number, number] {
  const base = COLOR_RGB[color];
  return base.map((c) => Math.max(0, Math.min(255, c + rng.intIn(-12, 12)))) as [number, number, number];
}

/** Whether two centred squares of the given sizes overlap once the gap is added. */
export function boxesClash(ax: number, ay: number, as: number, bx: number, by: number, bs: number): boolean {
  const reach = (as + bs) / 2 + OBJECT_GAP;
  return Math.abs(ax - bx) < reach && Math.abs(ay - by) < reach;
}

/**
 * Samples a scene with a target of `count` objects (1..6). Placement never overlaps; when an
 * object does not fit it is retried at the smallest size and otherwise left out, so the scene
 * may hold fewer objects than asked (never zero).
 */
export function sampleImageScene(rng: Prng, count: number, size = IMAGE_SIZE): ImageScene {
  const background = sampleBackground(rng);
  const objects: SceneObject[] = [];
  for (let k = 0; k < count; k++) {
    // Repeated colours and shapes make counting answers other than 1 common and make
    // "the red object" / "the star" questions need real discrimination.
    const prev = objects.length ? rng.pick(objects) : null;
    const shape = prev && rng.chance(0.3) ? prev.shape : rng.pick(SHAPES);
    const color = prev && rng.chance(0.35) ? prev.color : rng.pick(COLORS);
    const rgb = jitterColor(rng, color);
    const sizes = [rng.pick(SIZES), SIZES[0]];
    let placed = false;
    for (const s of sizes) {
      for (let attempt = 0; attempt < 80 && !placed; attempt++) {
        const half = s / 2;
        const cx = rng.range(half + 1, size - half - 1);
        const cy = rng.range(half + 1, size - half - 1);
        if (objects.some((o) => boxesClash(cx, cy, s, o.cx, o.cy, o.size))) continue;
        objects.push({ id: objects.length + 1, shape, color, rgb, size: s, cx, cy });
        placed = true;
      }
      if (placed) break;
    }
  }
  return { kind: 'image', size, background, objects };
}

/** Renders objects over a background; returns the canvas and each object's exact box (by id). */
export function renderObjects(size: number, background: BackgroundSpec, objects: readonly SceneObject[]): { canvas: Canvas; boxes: Map<number, Box> } {
  const canvas = createCanvas(size, size);
  paintBackground(canvas, background);
  const boxes = new Map<number, Box>();
  for (const o of objects) {
    const box = drawShape(canvas, o.shape, o.cx, o.cy, o.size, o.rgb, o.id);
    if (box) boxes.set(o.id, box);
  }
  return { canvas, boxes };
}

/** Minimum fraction of a patch an object must cover for the patch to be labelled with it. */
export const PATCH_LABEL_MIN_COVERAGE = 0.15;

/**
 * Dense per-patch labels from the exact mask: for each patch (row-major over a size/patch grid)
 * three bytes — colour index + 1, shape index + 1 (both 0 = background) of the object covering
 * the most pixels, and that object's coverage of the patch scaled to 0..255. A patch is
 * background when no object covers at least PATCH_LABEL_MIN_COVERAGE of it.
 */
export function patchLabels(canvas: Canvas, objects: readonly SceneObject[], patch = PATCH): Uint8Array {
  const grid = Math.floor(canvas.width / patch);
  const out = new Uint8Array(grid * grid * 3);
  const byId = new Map(objects.map((o) => [o.id, o]));
  const counts = new Map<number, number>();
  for (let gy = 0; gy < grid; gy++) {
    for (let gx = 0; gx < grid; gx++) {
      counts.clear();
      for (let y = gy * patch; y < (gy + 1) * patch; y++) {
        for (let x = gx * patch; x < (gx + 1) * patch; x++) {
          const id = canvas.mask[y * canvas.width + x]!;
          if (id) counts.set(id, (counts.get(id) ?? 0) + 1);
        }
      }
      let best = 0;
      let bestCount = 0;
      for (const [id, c] of counts) if (c > bestCount || (c === bestCount && id < best)) [best, bestCount] = [id, c];
      const frac = bestCount / (patch * patch);
      const o = byId.get(best);
      const p = (gy * grid + gx) * 3;
      if (o && frac >= PATCH_LABEL_MIN_COVERAGE) {
        out[p] = COLORS.indexOf(o.color) + 1;
        out[p + 1] = SHAPES.indexOf(o.shape) + 1;
      }
      out[p + 2] = Math.round(frac * 255);
    }
  }
  return out;
}
