/**
 * Question-relevant visual tokens and the share of them a method kept.
 *
 * A benchmark sample's ground-truth boxes (pixels of the stored image) are mapped through the
 * model's preprocessing — shortest-edge resize, centre crop (preprocess.ts's arithmetic) — onto the
 * visual-token grid. A cell is relevant when a box covers at least a quarter of it; a box too small
 * to cover a quarter of any cell makes the cell it overlaps most relevant, so no object vanishes.
 * Parts of boxes cut off by the crop are not the model's to see and count for nothing.
 *
 * `relevantKept` averages over decoder layers, like equivalent tokens: the share of relevant
 * original tokens still present in what enters each layer. A token live as itself counts 1; one
 * inside a live merged token of m originals counts 1/m (it shares one slot with m − 1 others —
 * without this, a method that merges everything it drops, like VisionZip, would "keep" every
 * token). A method that keeps relevant tokens preferentially has relevantKept > equivalentTokens/N.
 */
import type { PreprocessorConfig } from '../models/checkpoint/types';
import { originalTokenCount, originalsOf, type TokenTrace } from '../../shared/trace';

/** [x0, y0, x1, y1] in pixels, x1/y1 exclusive. */
export type PixelBox = readonly [number, number, number, number];

/** The rectangle of the stored image the model sees, and the scale to it: crop = (x·sx − left, y·sy − top). */
export function cropFrame(media: { width: number; height: number }, pre: PreprocessorConfig): { sx: number; sy: number; left: number; top: number; width: number; height: number } {
  let w = media.width;
  let h = media.height;
  if (pre.doResize) {
    const short = Math.min(w, h);
    const newLong = Math.floor((pre.shortestEdge * Math.max(w, h)) / short);
    [w, h] = w <= h ? [pre.shortestEdge, newLong] : [newLong, pre.shortestEdge];
  }
  const sx = w / media.width;
  const sy = h / media.height;
  if (!pre.doCenterCrop) return { sx, sy, left: 0, top: 0, width: w, height: h };
  return { sx, sy, left: Math.floor((w - pre.cropWidth) / 2), top: Math.floor((h - pre.cropHeight) / 2), width: pre.cropWidth, height: pre.cropHeight };
}

/**
 * Raster indices (row·cols + col) of the grid cells the boxes make relevant, ascending; empty
 * when every box lies outside the crop.
 */
export function relevantCells(boxes: readonly PixelBox[], media: { width: number; height: number }, pre: PreprocessorConfig, grid: { rows: number; cols: number }): number[] {
  const f = cropFrame(media, pre);
  const cw = f.width / grid.cols;
  const ch = f.height / grid.rows;
  const cells = new Set<number>();
  for (const [bx0, by0, bx1, by1] of boxes) {
    const x0 = Math.max(0, bx0 * f.sx - f.left);
    const x1 = Math.min(f.width, bx1 * f.sx - f.left);
    const y0 = Math.max(0, by0 * f.sy - f.top);
    const y1 = Math.min(f.height, by1 * f.sy - f.top);
    if (x1 <= x0 || y1 <= y0) continue;
    let best = -1;
    let bestArea = 0;
    let any = false;
    for (let r = Math.floor(y0 / ch); r < Math.min(grid.rows, Math.ceil(y1 / ch)); r++) {
      for (let c = Math.floor(x0 / cw); c < Math.min(grid.cols, Math.ceil(x1 / cw)); c++) {
        const area = Math.max(0, Math.min(x1, (c + 1) * cw) - Math.max(x0, c * cw)) * Math.max(0, Math.min(y1, (r + 1) * ch) - Math.max(y0, r * ch));
        if (area >= 0.25 * cw * ch) {
          cells.add(r * grid.cols + c);
          any = true;
        }
        if (area > bestArea) [best, bestArea] = [r * grid.cols + c, area];
      }
    }
    if (!any && best >= 0) cells.add(best);
  }
  return [...cells].sort((a, b) => a - b);
}

/**
 * Layer-averaged share of `relevant` original tokens present in what enters each decoder layer
 * (see the module comment); NaN when `relevant` is empty. Throws on an id outside the trace's grid.
 */
export function relevantKept(trace: TokenTrace, relevant: readonly number[]): number {
  if (relevant.length === 0) return NaN;
  const n = originalTokenCount(trace.grid);
  for (const id of relevant) if (!Number.isInteger(id) || id < 0 || id >= n) throw new RangeError(`relevant token ${id} is outside the ${n}-token grid`);
  const wanted = new Set(relevant);
  const shareOf = (live: readonly number[]): number => {
    // Credit per original: 1 when live as itself, 1/m inside a live merged token of m originals.
    const credit = new Map<number, number>();
    for (const id of live) {
      const members = originalsOf(trace, id);
      for (const o of members) credit.set(o, (credit.get(o) ?? 0) + 1 / members.length);
    }
    let sum = 0;
    for (const id of wanted) sum += Math.min(1, credit.get(id) ?? 0);
    return sum / wanted.size;
  };
  let live: readonly number[] = Array.from({ length: n }, (_, i) => i);
  let step = 0;
  let sum = 0;
  for (let layer = 0; layer < trace.layers.length; layer++) {
    // Steps before layer 0 (vit, vision) and llm steps after earlier layers shape this layer's input.
    for (; step < trace.steps.length; step++) {
      const s = trace.steps[step]!;
      if (s.stage === 'kv' || (s.stage === 'llm' && (s.layer ?? 0) >= layer)) break;
      live = s.order;
    }
    sum += shareOf(live);
  }
  return trace.layers.length ? sum / trace.layers.length : shareOf(live);
}
