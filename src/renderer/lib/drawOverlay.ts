/**
 * Paints an OverlayModel onto a 2D canvas: kept tokens clear; dropped tokens dimmed and tinted
 * by the stage that dropped them (or, with the heat map on, coloured by the score that decided
 * the drop); merged tokens tinted and outlined along their group's border, with a ring on the
 * cell that holds the merged result; the picture outside the model's square darkened. Takes the
 * few canvas methods it uses as an interface so tests can record what it drew.
 */
import type { TraceStage } from '../../shared/trace';
import { cellRect, modelRegion, type Rect } from './overlayGeometry';
import type { OverlayModel } from './overlayModel';

/** The subset of CanvasRenderingContext2D used here. */
export interface Painter {
  fillStyle: string | CanvasGradient | CanvasPattern;
  strokeStyle: string | CanvasGradient | CanvasPattern;
  lineWidth: number;
  clearRect(x: number, y: number, w: number, h: number): void;
  fillRect(x: number, y: number, w: number, h: number): void;
  beginPath(): void;
  moveTo(x: number, y: number): void;
  lineTo(x: number, y: number): void;
  arc(x: number, y: number, r: number, start: number, end: number): void;
  stroke(): void;
}

/** Tint of tokens dropped in each stage (also used by the legend). */
export const STAGE_COLORS: Record<TraceStage, string> = { vit: '#9b59b6', vision: '#e67e22', llm: '#e74c3c', kv: '#1abc9c' };
const MERGE_FILL = 'rgba(52, 152, 219, 0.28)';
const MERGE_LINE = '#5dade2';
const DIM = 'rgba(10, 12, 16, 0.55)';
const OUTSIDE = 'rgba(10, 12, 16, 0.45)';

/** Options of one paint. */
export interface DrawOptions {
  /** Picture size in its own pixels (the overlay is laid out on it). */
  picture: { width: number; height: number };
  /** Canvas pixels per picture pixel. */
  scale: number;
  heatmap: boolean;
}

/** Counts of what was painted (exposed on the overlay element for automation). */
export interface DrawStats {
  kept: number;
  dropped: number;
  merged: number;
}

function hexAlpha(hex: string, alpha: number): string {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

/** Heat colour of t ∈ [0, 1]: dark blue (low score) → yellow (high). */
export function heatColor(t: number): string {
  const u = Math.min(1, Math.max(0, t));
  const r = Math.round(40 + 215 * u);
  const g = Math.round(30 + 200 * u);
  const b = Math.round(140 - 110 * u);
  return `rgba(${r}, ${g}, ${b}, 0.75)`;
}

function scaled(r: Rect, s: number): Rect {
  return { x: r.x * s, y: r.y * s, w: r.w * s, h: r.h * s };
}

/** Paints `model` (clearing the canvas first) and returns what it painted. */
export function drawOverlay(p: Painter, model: OverlayModel, options: DrawOptions): DrawStats {
  const { picture, scale: s, heatmap } = options;
  p.clearRect(0, 0, picture.width * s, picture.height * s);
  const region = modelRegion(picture.width, picture.height);
  // Darken what the model never sees (the sides a centre crop cuts off).
  p.fillStyle = OUTSIDE;
  if (region.x > 0) {
    p.fillRect(0, 0, region.x * s, picture.height * s);
    p.fillRect((region.x + region.w) * s, 0, region.x * s, picture.height * s);
  }
  if (region.y > 0) {
    p.fillRect(0, 0, picture.width * s, region.y * s);
    p.fillRect(0, (region.y + region.h) * s, picture.width * s, region.y * s);
  }
  const grid = { rows: model.rows, cols: model.cols };
  const stats: DrawStats = { kept: 0, dropped: 0, merged: 0 };
  const [lo, hi] = model.scoreRange ?? [0, 0];
  for (const cell of model.cells) {
    const r = scaled(cellRect(region, grid, cell.row, cell.col), s);
    if (cell.fate.kind === 'kept') {
      stats.kept++;
      continue;
    }
    if (cell.fate.kind === 'dropped') {
      stats.dropped++;
      p.fillStyle = DIM;
      p.fillRect(r.x, r.y, r.w, r.h);
      p.fillStyle = heatmap && cell.score !== undefined ? heatColor(hi > lo ? (cell.score - lo) / (hi - lo) : 0.5) : hexAlpha(STAGE_COLORS[cell.fate.stage], 0.35);
      p.fillRect(r.x, r.y, r.w, r.h);
      continue;
    }
    stats.merged++;
    p.fillStyle = MERGE_FILL;
    p.fillRect(r.x, r.y, r.w, r.h);
    if (cell.target) {
      p.strokeStyle = MERGE_LINE;
      p.lineWidth = Math.max(1, r.w / 12);
      p.beginPath();
      p.arc(r.x + r.w / 2, r.y + r.h / 2, Math.min(r.w, r.h) / 4, 0, Math.PI * 2);
      p.stroke();
    }
  }
  drawGroupBorders(p, model, region, s);
  return stats;
}

/** Strokes each merge group's outer border: cell edges whose neighbour is not in the same group. */
function drawGroupBorders(p: Painter, model: OverlayModel, region: Rect, s: number): void {
  const owner = new Map<number, number>();
  for (const g of model.groups) for (const c of g.cells) owner.set(c.row * model.cols + c.col, g.id);
  const grid = { rows: model.rows, cols: model.cols };
  p.strokeStyle = MERGE_LINE;
  p.lineWidth = Math.max(1, (region.w / model.cols) * s * 0.06);
  p.beginPath();
  for (const g of model.groups) {
    for (const c of g.cells) {
      const r = scaled(cellRect(region, grid, c.row, c.col), s);
      const same = (dr: number, dc: number) => {
        const row = c.row + dr;
        const col = c.col + dc;
        return row >= 0 && row < model.rows && col >= 0 && col < model.cols && owner.get(row * model.cols + col) === g.id;
      };
      if (!same(-1, 0)) edge(p, r.x, r.y, r.x + r.w, r.y);
      if (!same(1, 0)) edge(p, r.x, r.y + r.h, r.x + r.w, r.y + r.h);
      if (!same(0, -1)) edge(p, r.x, r.y, r.x, r.y + r.h);
      if (!same(0, 1)) edge(p, r.x + r.w, r.y, r.x + r.w, r.y + r.h);
    }
  }
  p.stroke();
}

function edge(p: Painter, x0: number, y0: number, x1: number, y1: number): void {
  p.moveTo(x0, y0);
  p.lineTo(x1, y1);
}
