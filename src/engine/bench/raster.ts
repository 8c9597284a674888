/**
 * Software rasteriser for the Shapes benchmark: filled, axis-aligned shapes drawn into an RGB
 * buffer together with an exact per-pixel object-id mask (no anti-aliasing, so the mask is the
 * ground truth of which pixel belongs to which object).
 */
import type { ShapeName } from './palette';

/** An RGB image plus its object-id mask (0 = background, k = object k-1). */
export interface Canvas {
  width: number;
  height: number;
  /** Row-major RGB, 3 bytes per pixel. */
  rgb: Uint8Array;
  /** Row-major object ids, 1 byte per pixel. */
  mask: Uint8Array;
}

/** Pixel-space box, inclusive-exclusive: x0 <= x < x1, y0 <= y < y1. */
export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** Creates a canvas of the given size with a black image and an empty mask. */
export function createCanvas(width: number, height: number): Canvas {
  return { width, height, rgb: new Uint8Array(width * height * 3), mask: new Uint8Array(width * height) };
}

function regularStar(points: number, inner: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let i = 0; i < points * 2; i++) {
    const r = i % 2 === 0 ? 1 : inner;
    const a = -Math.PI / 2 + (i * Math.PI) / points;
    out.push([r * Math.cos(a), r * Math.sin(a) + 0.1]);
  }
  return out;
}

const STAR = regularStar(5, 0.45);
const TRIANGLE: Array<[number, number]> = [
  [0, -1],
  [1, 0.85],
  [-1, 0.85],
];

function inPolygon(poly: Array<[number, number]>, u: number, v: number): boolean {
  let inside = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [xi, yi] = poly[i] as [number, number];
    const [xj, yj] = poly[j] as [number, number];
    if (yi > v !== yj > v && u < ((xj - xi) * (v - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/**
 * Whether the point (u, v), in the shape's unit frame ([-1, 1]², y down), is inside `shape`.
 * Pure geometry; shared by the rasteriser and the tests.
 */
export function insideShape(shape: ShapeName, u: number, v: number): boolean {
  switch (shape) {
    case 'circle':
      return u * u + v * v <= 1;
    case 'square':
      return Math.abs(u) <= 0.82 && Math.abs(v) <= 0.82;
    case 'triangle':
      return inPolygon(TRIANGLE, u, v);
    case 'star':
      return inPolygon(STAR, u, v);
    case 'diamond':
      return Math.abs(u) + Math.abs(v) <= 1;
    case 'cross':
      return (Math.abs(u) <= 0.34 && Math.abs(v) <= 1) || (Math.abs(v) <= 0.34 && Math.abs(u) <= 1);
  }
}

/**
 * Draws a filled shape centred at (cx, cy) with bounding-box side `size` into `canvas`, writing
 * `color` to the image and `id` to the mask for every pixel whose centre is inside the shape.
 * Pixels outside the canvas are clipped. Returns the exact box of the pixels written, or null
 * when nothing was visible.
 */
export function drawShape(
  canvas: Canvas,
  shape: ShapeName,
  cx: number,
  cy: number,
  size: number,
  color: readonly [number, number, number],
  id: number,
): Box | null {
  const half = size / 2;
  const xs = Math.max(0, Math.floor(cx - half));
  const xe = Math.min(canvas.width, Math.ceil(cx + half));
  const ys = Math.max(0, Math.floor(cy - half));
  const ye = Math.min(canvas.height, Math.ceil(cy + half));
  let box: Box | null = null;
  for (let y = ys; y < ye; y++) {
    const v = (y + 0.5 - cy) / half;
    for (let x = xs; x < xe; x++) {
      const u = (x + 0.5 - cx) / half;
      if (!insideShape(shape, u, v)) continue;
      const p = y * canvas.width + x;
      canvas.mask[p] = id;
      canvas.rgb[p * 3] = color[0];
      canvas.rgb[p * 3 + 1] = color[1];
      canvas.rgb[p * 3 + 2] = color[2];
      if (!box) box = { x0: x, y0: y, x1: x + 1, y1: y + 1 };
      else {
        if (x < box.x0) box.x0 = x;
        if (x + 1 > box.x1) box.x1 = x + 1;
        if (y + 1 > box.y1) box.y1 = y + 1;
      }
    }
  }
  return box;
}

/** The exact box of mask pixels equal to `id`, or null when there are none. */
export function maskBox(canvas: Canvas, id: number): Box | null {
  let box: Box | null = null;
  for (let y = 0; y < canvas.height; y++) {
    for (let x = 0; x < canvas.width; x++) {
      if (canvas.mask[y * canvas.width + x] !== id) continue;
      if (!box) box = { x0: x, y0: y, x1: x + 1, y1: y + 1 };
      else {
        box.x0 = Math.min(box.x0, x);
        box.x1 = Math.max(box.x1, x + 1);
        box.y1 = y + 1;
      }
    }
  }
  return box;
}
