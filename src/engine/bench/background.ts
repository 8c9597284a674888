/**
 * Textured, muted backgrounds for the Shapes benchmark (noise, stripes, gradient, checker,
 * waves), so that background tokens carry real texture but never look like a saturated shape.
 */
import type { Prng } from './prng';
import type { Canvas } from './raster';

/** Background texture kinds. */
export const BACKGROUND_KINDS = ['noise', 'stripes', 'gradient', 'checker', 'waves'] as const;
/** A background texture kind. */
export type BackgroundKind = (typeof BACKGROUND_KINDS)[number];

/** Everything needed to repaint a background: deterministic given these numbers. */
export interface BackgroundSpec {
  kind: BackgroundKind;
  toneA: [number, number, number];
  toneB: [number, number, number];
  /** Period / cell size in pixels. */
  period: number;
  /** Direction in radians (stripes, gradient, waves). */
  angle: number;
  /** Per-pixel noise amplitude. */
  noise: number;
  /** Seed of the per-pixel noise. */
  noiseSeed: number;
}

function mutedTone(rng: Prng): [number, number, number] {
  const light = rng.range(0.28, 0.68);
  const sat = rng.range(0.0, 0.22);
  const hue = rng.float() * Math.PI * 2;
  const base = light * 255;
  const amp = sat * 255 * 0.6;
  return [0, 1, 2].map((k) => Math.round(base + amp * Math.cos(hue - (k * 2 * Math.PI) / 3))) as [number, number, number];
}

/** Samples a background spec. */
export function sampleBackground(rng: Prng): BackgroundSpec {
  return {
    kind: rng.pick(BACKGROUND_KINDS),
    toneA: mutedTone(rng),
    toneB: mutedTone(rng),
    period: rng.intIn(6, 26),
    angle: rng.float() * Math.PI,
    noise: rng.intIn(4, 22),
    noiseSeed: rng.nextU32(),
  };
}

function hashNoise(seed: number, x: number, y: number): number {
  let h = (seed ^ Math.imul(x + 1, 0x27d4eb2d) ^ Math.imul(y + 1, 0x165667b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296 - 0.5;
}

/** Paints `spec` over the whole canvas image (the mask is left untouched). */
export function paintBackground(canvas: Canvas, spec: BackgroundSpec): void {
  const { width, height, rgb } = canvas;
  const ca = Math.cos(spec.angle);
  const sa = Math.sin(spec.angle);
  const diag = Math.hypot(width, height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const t = x * ca + y * sa;
      let w: number;
      switch (spec.kind) {
        case 'noise':
          w = 0.5 + hashNoise(spec.noiseSeed ^ 0x55, x >> 2, y >> 2) * 0.8;
          break;
        case 'stripes':
          w = Math.floor(t / spec.period) % 2 === 0 ? 0 : 1;
          break;
        case 'gradient':
          w = 0.5 + t / diag;
          break;
        case 'checker':
          w = (Math.floor(x / spec.period) + Math.floor(y / spec.period)) % 2;
          break;
        case 'waves':
          w = 0.5 + 0.5 * Math.sin((t / spec.period) * Math.PI) * Math.cos(((y * ca - x * sa) / (spec.period * 2)) * Math.PI);
          break;
      }
      const n = hashNoise(spec.noiseSeed, x, y) * 2 * spec.noise;
      const p = (y * width + x) * 3;
      for (let k = 0; k < 3; k++) {
        const v = spec.toneA[k]! * (1 - w) + spec.toneB[k]! * w + n;
        rgb[p + k] = v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
      }
    }
  }
}
